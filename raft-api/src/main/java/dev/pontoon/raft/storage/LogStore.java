package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;

/**
 * Durable storage of the Raft log and hard state ({@code currentTerm}, {@code votedFor}, and the
 * commit index as a hint: see {@link HardState}).
 *
 * <p>Writes are separated from the sync that makes them durable, so that the runtime can
 * group many proposals into one fsync (group commit).
 *
 * <p><b>To ensure correctness</b>, an implementation must guarantee:
 * <ul>
 *   <li><b>No holes.</b> {@link #append} takes entries whose indexes follow {@link #lastIndex()}
 *       without a gap, and whose terms do not decrease; anything else is refused with
 *       {@link IllegalArgumentException} and changes nothing.
 *   <li><b>Call order.</b> Writes take effect in the order they are called, hard state
 *       included: after a crash the store holds a prefix of the calls made, never a later call
 *       without an earlier one.
 *   <li><b>Durability.</b> When {@link #sync()} returns, every earlier write survives a crash
 *       of the process or the machine. Before that, nothing is promised.
 *   <li><b>Read your writes.</b> Reads reflect every write already called, synced or not.
 *   <li><b>A truncation never resurrects.</b> Once a {@link #truncateSuffix} is synced, the
 *       removed entries never reappear after a restart.
 * </ul>
 *
 * <p>A worked call sequence: {@code append(1,2,3)}, {@code sync()}; a leader of a later term
 * sends a conflicting entry 2, so the runtime calls {@code truncateSuffix(2)} then
 * {@code append(2')}, {@code sync()}; the log is now {@code 1, 2'} and {@code lastIndex() == 2}.
 * After {@code truncatePrefix(1, t1)} the log is {@code 2'}, {@code firstIndex() == 2} and
 * {@code term(1) == t1} still answers.
 *
 * <p><b>Threading.</b> One thread writes at a time: the runtime's sync worker, or the node's
 * event loop while that worker is idle, with each hand-over ordered by a happens-before edge, so
 * a store needs no lock between its writes. Reads may come from other threads at the same time
 * (see {@link LogReader}).
 *
 * <p><b>Failure.</b> Any exception other than {@link IllegalArgumentException} for bad input is
 * fatal: the runtime stops the node rather than retry.
 *
 * @see LogReader
 */
public interface LogStore extends LogReader, AutoCloseable {

  /**
   * The hard state last saved, or {@link HardState#INITIAL} for a new store. Its commit index is
   * never below {@code firstIndex() - 1}: entries discarded behind a snapshot were committed (see
   * {@link #truncatePrefix}).
   */
  HardState loadHardState();

  /**
   * Saves the hard state; durable after the next {@link #sync()}. A commit index below
   * {@code firstIndex() - 1} is saved as {@code firstIndex() - 1}. The caller saves a commit index
   * only once the entries up to it were written to this store (never ahead of the log: see
   * {@link HardState}); the store does not check it, since a hard state may be saved first.
   */
  void saveHardState(HardState state);

  /**
   * Appends entries after {@link #lastIndex()}.
   *
   * @param entries consecutive, starting at {@code lastIndex() + 1}; may be empty
   * @throws IllegalArgumentException on a gap, an overlap or a decreasing term; nothing changes
   */
  void append(List<LogEntry> entries);

  /**
   * Removes the entries at {@code fromIndex} and after (a follower discarding a conflicting
   * suffix, §5.3). Does nothing when {@code fromIndex > lastIndex()}.
   *
   * @throws IllegalArgumentException if {@code fromIndex < firstIndex()} (committed entries are
   *     never truncated)
   */
  void truncateSuffix(long fromIndex);

  /**
   * Discards the entries up to and including {@code lastIncludedIndex}, which a snapshot now
   * covers, remembering {@code lastIncludedTerm} as the term of that index. The entries after the
   * snapshot are kept only when the log holds {@code lastIncludedIndex} with
   * {@code lastIncludedTerm}; otherwise the whole log is discarded (Raft §7: "if existing log entry
   * has same index and term as snapshot's last included entry, retain log entries following it";
   * else discard the entire log). May be asked for an index beyond {@link #lastIndex()}, when a
   * snapshot from the leader replaces the whole log: then the log becomes empty with
   * {@code firstIndex() == lastIncludedIndex + 1}.
   *
   * <p>The metadata follows the truncation: a snapshot covers only committed entries, so the saved
   * hard state's commit index is raised to at least {@code lastIncludedIndex} in the same atomic
   * write as the truncation (a crash keeps both or neither); term and vote are unchanged.
   *
   * @throws IllegalArgumentException if {@code lastIncludedIndex} is {@link Long#MAX_VALUE}, after
   *     which no index is left for the log to start at ({@link Compactions#requireIndexAfter});
   *     nothing changes
   */
  void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm);

  /** Makes every earlier write durable. Blocks until it is. */
  void sync();

  /**
   * Whether what {@link #sync()} made durable survives the end of the process, so that a node
   * restarted in a new process recovers it. A store on disk answers true (the default); an
   * in-memory store, whose "durable" state lives only as long as the object, answers false.
   *
   * <p>The runtime relies on it to refuse configurations that could not restart: a durable log
   * whose prefix was discarded behind a snapshot needs that snapshot to be durable too, so a
   * durable log store must be paired with a durable snapshot store. The answer must not change
   * over the store's life.
   *
   * @return true when synced writes outlive the process
   */
  default boolean isDurable() {
    return true;
  }

  /** Releases resources. Idempotent. Unsynced writes may be lost. */
  @Override
  void close();
}
