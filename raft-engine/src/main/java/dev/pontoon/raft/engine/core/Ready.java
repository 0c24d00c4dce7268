package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogStore;
import java.util.List;

/**
 * What the caller of {@link RaftCore} must now do. The order of the components is the order of
 * the work, and each component says when it may be acted on.
 *
 * <p>Each item is handed out in exactly one {@code Ready}. Several {@code Ready}s may be
 * outstanding at once (the runtime persists one while the core goes on); their persistence must
 * be carried out in the order they were produced, and each acknowledged with
 * {@link RaftCore#advance(Ready)} once durable, in the same order.
 *
 * @param hardState term, vote and commit index to persist, or {@code null} when none changed.
 *     Write it after {@code entriesToAppend} (and after those of every earlier {@code Ready}): its
 *     commit index may name those entries, and the store's call order then keeps it from ever
 *     being ahead of the durable log. A change of term or vote sets {@code mustSync} and must be
 *     durable before any message of {@code sendAfterSync} leaves; a change of the commit index
 *     alone does not set {@code mustSync}: it rides with the next sync that happens anyway.
 * @param entriesToAppend entries to write to the log store. When the first one's index is not
 *     after the store's last index, the store's suffix from that index is a conflict to truncate
 *     first ({@code LogStore.truncateSuffix(first.index())}). Durable before
 *     {@code sendAfterSync} leaves.
 * @param snapshotToInstall a snapshot received from the leader to install into the state
 *     machine and snapshot store, or {@code null}. It replaces the whole log (Figure 13): the
 *     core hands one out only when its log does not hold the snapshot's last entry, so
 *     {@code LogStore.truncatePrefix(lastIncludedIndex, lastIncludedTerm)} discards every entry;
 *     do that before appending {@code entriesToAppend}.
 *     Install it before applying this {@code Ready}'s {@code committedEntries}, which follow it.
 *     A runtime that streams snapshots stepped it in with empty bytes after storing the
 *     received snapshot itself: it then restores the state machine from its store.
 * @param mustSync whether term, vote or the log changed, so that an fsync is needed before
 *     {@code sendAfterSync} may leave and before {@code advance}. Derived only from term, vote
 *     and entries changing (Figure 2), never from the commit index; always set when
 *     {@code entriesToAppend} is not empty or {@code snapshotToInstall} is present (the
 *     constructor refuses otherwise), so a driver needs no other test.
 * @param sendNow messages that may be sent at once, in parallel with the write above (a
 *     leader's AppendEntries, heartbeats, vote requests whose term and vote are in
 *     {@code hardState}... see the rule on {@code sendAfterSync})
 * @param sendAfterSync messages that may leave only once {@code hardState} and
 *     {@code entriesToAppend} are durable, and those of every earlier {@code Ready} too (even
 *     when this one has {@code mustSync == false}: an acknowledgement may name entries handed
 *     out before): vote grants, append acknowledgements, and anything else that promises what
 *     this node has stored
 * @param committedEntries entries now known committed, in log order, to apply to the state
 *     machine. They are committed on a quorum, so they may be applied even before this node's
 *     own copy is durable. Bounded, so that a long committed log (a restarted node's) or a slow
 *     state machine never costs unbounded memory: at most
 *     {@link RaftConfig#maxCommittedBytesPerReady()} bytes (by {@code LogEntry.sizeInBytes()})
 *     per {@code Ready} but at least one entry, and none while the entries handed out and not
 *     yet reported with {@link RaftCore#appliedTo(long)} would pass
 *     {@link RaftConfig#maxApplyingBytes()} (one entry larger than that alone goes out once none
 *     is outstanding). So a driver that never calls {@code appliedTo} gets at most
 *     {@code maxApplyingBytes} of committed entries in total; report what was applied to get
 *     the rest. Entries left for later keep {@link RaftCore#hasReady()} true, except while the
 *     applying budget withholds them.
 * @param readsReady read requests whose read index is confirmed; answer each once the state
 *     machine has applied up to its {@code readIndex}
 * @param readsAborted ids of read requests that can no longer be confirmed (leadership lost);
 *     fail them with {@code NotLeaderException}
 */
public record Ready(HardState hardState, List<LogEntry> entriesToAppend, Snapshot snapshotToInstall, boolean mustSync,
    List<RaftMessage> sendNow, List<RaftMessage> sendAfterSync, List<LogEntry> committedEntries,
    List<ReadState> readsReady, List<Long> readsAborted) {

  public Ready {
    if (!mustSync && (!entriesToAppend.isEmpty() || snapshotToInstall != null)) {
      // The log changed: Figure 2 makes it durable before anything that depends on it.
      throw new IllegalArgumentException("a Ready that appends entries or installs a snapshot must set mustSync");
    }
    entriesToAppend = copy(entriesToAppend);
    sendNow = copy(sendNow);
    sendAfterSync = copy(sendAfterSync);
    committedEntries = copy(committedEntries);
    readsReady = copy(readsReady);
    readsAborted = copy(readsAborted);
  }

  /**
   * An immutable copy. An empty list becomes {@code List.of()} without one: {@code List.copyOf}
   * of an empty {@code ArrayList} (the core's reused outbox lists, empty in most Readys) still
   * allocates the empty array it copies into.
   */
  private static <T> List<T> copy(List<T> list) {
    return list.isEmpty() ? List.of() : List.copyOf(list);
  }

  /** A {@code Ready} with nothing to do. */
  public static final Ready EMPTY = new Ready(null, List.of(), null, false, List.of(), List.of(), List.of(),
      List.of(), List.of());

  /**
   * Carries this {@code Ready}'s log changes into {@code store} in the order the components above
   * require: the snapshot's prefix truncation (Figure 13), the conflicting suffix's truncation
   * (§5.3), the new entries, then the hard state. Does not sync: call {@link LogStore#sync()}
   * when {@link #mustSync()} (or for a group of {@code Ready}s at once) before sending
   * {@code sendAfterSync} and calling {@code advance}. Installing the snapshot into the state
   * machine and snapshot store stays the caller's job. Runs on the caller's thread; the core
   * itself never calls it.
   */
  public void writeLogTo(LogStore store) {
    if (snapshotToInstall != null) {
      store.truncatePrefix(snapshotToInstall.meta().lastIncludedIndex(), snapshotToInstall.meta().lastIncludedTerm());
    }
    if (!entriesToAppend.isEmpty()) {
      long first = entriesToAppend.get(0).index();
      if (first <= store.lastIndex()) {
        store.truncateSuffix(first);
      }
      store.append(entriesToAppend);
    }
    if (hardState != null) {
      store.saveHardState(hardState);
    }
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return hardState == null && entriesToAppend.isEmpty() && snapshotToInstall == null && sendNow.isEmpty()
        && sendAfterSync.isEmpty() && committedEntries.isEmpty() && readsReady.isEmpty() && readsAborted.isEmpty();
  }
}
