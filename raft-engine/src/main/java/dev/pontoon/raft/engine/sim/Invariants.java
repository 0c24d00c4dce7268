package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogReader;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The safety checkers of one run, fed as the run goes, with the violations they found. The
 * simulator calls {@link #afterStep} after every event, and the write and apply hooks as nodes
 * write their logs and apply entries.
 */
final class Invariants {
  private final ElectionSafety electionSafety = new ElectionSafety();
  private final LogMatching logMatching = new LogMatching();
  private final LeaderCompleteness leaderCompleteness = new LeaderCompleteness();
  private final StateMachineSafety stateMachineSafety = new StateMachineSafety();
  private final MonotonicTermAndCommit monotonic = new MonotonicTermAndCommit();
  private final List<Violation> found = new ArrayList<>();
  /** Per node: role, term and commit index at the last check (-1: not running). */
  private final Role[] role;
  private final long[] term;
  private final long[] commit;

  Invariants(int nodes) {
    role = new Role[nodes];
    term = new long[nodes];
    commit = new long[nodes];
  }

  List<Violation> violations() {
    return found;
  }

  void report(Violation v) {
    found.add(v);
  }

  /**
   * {@code node}, in {@code role} at {@code term}, is about to truncate its log from {@code
   * fromIndex} (its last index being {@code lastIndex}) for entries of its own {@code Ready}: a
   * leader never does (Leader Append-Only, §5.3).
   */
  void truncating(NodeId node, Role role, long term, long fromIndex, long lastIndex) {
    if (role == Role.LEADER) {
      found.add(new Violation.LeaderOverwrote(node, term, fromIndex, lastIndex));
    }
  }

  void written(NodeId node, List<LogEntry> entries, long previousTerm) {
    found.addAll(logMatching.written(node, entries, previousTerm));
  }

  void applied(NodeId node, LogEntry entry) {
    found.addAll(stateMachineSafety.applied(node, entry));
  }

  /** {@code node}'s state machine applied the command {@code payload} at {@code index}. */
  void appliedCommand(NodeId node, long index, Bytes payload) {
    found.addAll(stateMachineSafety.appliedCommand(node, index, payload));
  }

  /** {@code node}'s state machine answered {@code result} to the command at {@code index}. */
  void appliedResult(NodeId node, long index, Bytes result) {
    found.addAll(stateMachineSafety.appliedResult(node, index, result));
  }

  void synced(NodeId node, long durableTerm) {
    monotonic.synced(node, durableTerm);
    logMatching.synced(node);
  }

  /** A node sent {@code entries} (in an AppendEntries): other nodes may hold them from now on. */
  void sent(List<LogEntry> entries) {
    logMatching.sent(entries);
  }

  /** {@code node}'s state machine was rebuilt from a snapshot at {@code index} (0: empty). */
  void restored(NodeId node, long index) {
    stateMachineSafety.restoredTo(node, index);
  }

  /**
   * As {@link #crashLeft(NodeId, LogStore, long, boolean)} for a node whose snapshots live in its
   * log store's prefix and whose crash leaves only durable writes.
   */
  void crashLeft(NodeId node, LogStore disk) {
    crashLeft(node, disk, 0, false);
  }

  /**
   * What a crash left on {@code node}'s disk: the commit index saved with its hard state must lie
   * within the durable log and name the entry committed there (HardState: a hint never ahead of
   * the durable log). Below the log's start it names entries a snapshot holds, all committed.
   *
   * @param snapshotIndex last index of the newest snapshot the node's snapshot store kept. A crash
   *     inside an install, after the old log's discard and before its restart at the snapshot,
   *     leaves a log that ends below a commit index the snapshot holds: recovery restarts the log
   *     after the snapshot (Figure 13 step 7), so that commit index names a committed entry.
   * @param keptUnsynced what the crash kept of the unsynced writes is still unsynced (a crash of
   *     the process alone, the machine's cache holding them)
   */
  void crashLeft(NodeId node, LogStore disk, long snapshotIndex, boolean keptUnsynced) {
    logMatching.crashed(node, disk, keptUnsynced);
    long commit = disk.loadHardState().commitIndex();
    long last = disk.lastIndex();
    if (commit > last && commit <= snapshotIndex) {
      return;
    }
    if (commit > last) {
      found.add(new Violation.PersistedCommitInvalid(node, commit, "past the durable log's last index " + last));
      return;
    }
    if (commit < disk.firstIndex() - 1 || commit == 0) {
      return;
    }
    long committed = leaderCompleteness.committedTerm(commit);
    long stored = disk.term(commit);
    if (committed != 0 && stored != committed) {
      found.add(new Violation.PersistedCommitInvalid(node, commit, "the durable log holds term " + stored
          + " there but the entry committed there has term " + committed));
    }
  }

  void crashed(int index, NodeId node) {
    monotonic.crashed(node);
    stateMachineSafety.restarted(node);
    role[index] = null;
    commit[index] = 0;
  }

  /** Checks node {@code index} after a step; {@code log} is its log as written so far. */
  void afterStep(int index, RaftCore core, LogReader log) {
    NodeId id = core.id();
    Role r = core.role();
    long t = core.term();
    long c = core.commitIndex();
    found.addAll(electionSafety.observe(id, r, t));
    found.addAll(monotonic.observe(id, t, c));
    if (c > commit[index]) {
      found.addAll(leaderCompleteness.commitAdvanced(id, t, commit[index], c, log));
      commit[index] = c;
    }
    if (r == Role.LEADER && (role[index] != Role.LEADER || term[index] != t)) {
      found.addAll(leaderCompleteness.becameLeader(id, t, log));
    }
    role[index] = r;
    term[index] = t;
  }
}
