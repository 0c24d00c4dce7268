package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import java.util.ArrayList;
import java.util.List;

/**
 * A broken property found in a simulated run: one record per kind, so that tests can assert on
 * exactly what was found and a failing seed prints what went wrong in the paper's words. Node
 * ids are {@code n1}, {@code n2}, ... Immutable values.
 *
 * @see SimulationResult#violations()
 */
public sealed interface Violation {

  /** The property, with its section of the Raft paper or the thesis. */
  String rule();

  /** Two leaders in one term (Election Safety, §5.2). */
  record TwoLeaders(long term, NodeId first, NodeId second) implements Violation {
    @Override
    public String rule() {
      return "Election Safety (§5.2)";
    }
  }

  /** A leader overwrote or deleted entries of its own log (Leader Append-Only, §5.3, Figure 3). */
  record LeaderOverwrote(NodeId leader, long term, long fromIndex, long lastIndex) implements Violation {
    @Override
    public String rule() {
      return "Leader Append-Only (§5.3)";
    }
  }

  /** Two logs hold an entry with the same index and term but differ there or before (§5.3). */
  record LogMismatch(NodeId node, long index, long term, String detail) implements Violation {
    @Override
    public String rule() {
      return "Log Matching (§5.3)";
    }
  }

  /** A leader lacks an entry committed in an earlier term (Leader Completeness, §5.4). */
  record MissingCommittedEntry(NodeId leader, long leaderTerm, long index, long committedTerm, long foundTerm)
      implements Violation {
    @Override
    public String rule() {
      return "Leader Completeness (§5.4)";
    }
  }

  /** A node counts as committed, at an index, another entry than the one committed before (§5.4). */
  record CommittedEntryChanged(NodeId node, long index, long committedTerm, long newTerm) implements Violation {
    @Override
    public String rule() {
      return "Leader Completeness (§5.4): a committed entry never changes";
    }
  }

  /** Two nodes applied different entries at one index (State Machine Safety, §5.4.3). */
  record DivergentApply(NodeId node, long index, String entry, NodeId firstNode, String firstEntry)
      implements Violation {
    @Override
    public String rule() {
      return "State Machine Safety (§5.4.3)";
    }
  }

  /** A node applied entries out of log order, or skipped one (Figure 2, lastApplied). */
  record OutOfOrderApply(NodeId node, long expectedIndex, long appliedIndex) implements Violation {
    @Override
    public String rule() {
      return "apply in log order (Figure 2: increment lastApplied, apply log[lastApplied])";
    }
  }

  /** currentTerm went down, across a restart too (Figure 2: persistent, increases monotonically). */
  record TermDecreased(NodeId node, long from, long to) implements Violation {
    @Override
    public String rule() {
      return "currentTerm increases monotonically (Figure 2)";
    }
  }

  /** commitIndex went down within one incarnation of a node (Figure 2). */
  record CommitDecreased(NodeId node, long from, long to) implements Violation {
    @Override
    public String rule() {
      return "commitIndex increases monotonically (Figure 2)";
    }
  }

  /**
   * A node sent a message promising more than its disk held durably: a term, a vote, or log
   * entries written and not yet synced. A crash of the machine could take the promise back.
   *
   * @param detail what the message promised that was not durable
   */
  record SentBeforeDurable(NodeId node, String message, String detail) implements Violation {
    @Override
    public String rule() {
      return "persistent state is updated on stable storage before responding to RPCs (Figure 2)";
    }
  }

  /**
   * A leader's commit index rose to an entry that no majority of its configuration held durably
   * (of each half, in a joint one), or to an entry of an earlier term by counting.
   */
  record CommitNotDurablyHeld(NodeId leader, long term, String detail) implements Violation {
    @Override
    public String rule() {
      return "a leader commits an entry of its term once a majority stores it durably (§5.3, §5.4.2, thesis §4.3)";
    }
  }

  /**
   * After a crash, the commit index kept with the hard state is past the durable log, or names
   * there another entry than the one committed at that index (the {@code HardState} hint must
   * never be ahead of the durable log, and names only committed entries).
   */
  record PersistedCommitInvalid(NodeId node, long commitIndex, String detail) implements Violation {
    @Override
    public String rule() {
      return "a persisted commit index never exceeds the durable log and names the committed entry (HardState)";
    }
  }

  /**
   * Two replicas computed different results for the command at one index, or one replica a
   * different result when it applied the command again after a restart: the state machine is not
   * deterministic, or not safe to replay (the {@code StateMachine} contract).
   */
  record DivergentResult(NodeId node, long index, String result, NodeId firstNode, String firstResult)
      implements Violation {
    @Override
    public String rule() {
      return "State Machine Safety (§5.4.3): the same commands give the same results on every replica";
    }
  }

  /**
   * One client operation's command was applied at two log indexes: its client resent it, under
   * the same operation id, only after answers that promise nothing was appended ({@code
   * NotLeaderException} and the other refusals, a refused connection), so one of those answers was
   * wrong and the write took effect twice. (The simulated clients never resend after an outcome
   * the contract leaves unknown, such as {@code IndeterminateStateException} or a timeout.)
   *
   * @param seed the run's seed
   * @param opId the client operation
   * @param firstNode the node that first applied it, at {@code firstIndex}
   * @param node the node that applied it at {@code index}
   * @param resentAfter the answers the operation was resent after (the last few), with their times
   */
  record AppliedTwice(long seed, long opId, NodeId firstNode, long firstIndex, NodeId node, long index,
      List<String> resentAfter) implements Violation {
    /** Copies {@code resentAfter}. */
    public AppliedTwice {
      resentAfter = List.copyOf(resentAfter);
    }

    @Override
    public String rule() {
      return "a write resent after an answer that nothing was appended (NotLeaderException) takes effect once";
    }

    @Override
    public String toString() {
      return "seed " + seed + ": operation #" + opId + " applied at index " + firstIndex + " (" + firstNode
          + ") and at index " + index + " (" + node + "); resent after " + resentAfter;
    }
  }

  /**
   * A future a node handed out ({@code submit}, {@code read}, {@code changeMembership}) was still
   * incomplete after the node was closed: {@code RaftNode.close()} fails every pending request, so
   * this one would never have completed. The simulated clients give up after a timeout, which
   * hides such a future while the run goes on; the simulation closes each node whose process is
   * alive at the end of the main phase, and each at the end of the run, to find it.
   *
   * @param seed the run's seed
   * @param node the node that handed the future out
   * @param what what the future was for (the operation, the change), and when it was handed out
   * @param when at which close it was found
   */
  record FutureNeverCompleted(long seed, NodeId node, String what, String when) implements Violation {
    @Override
    public String rule() {
      return "every future a node hands out completes, at the latest failed when the node is closed (RaftNode)";
    }

    @Override
    public String toString() {
      return "seed " + seed + ": " + node + " " + when + ": its " + what + " never completed";
    }
  }

  /** The client history of one partition has no linearization (Herlihy &amp; Wing; thesis §6.3). */
  record NotLinearizable(Partition<?, ?> partition) implements Violation {
    /** The partition (for the key-value clients, the key). */
    public String key() {
      return String.valueOf(partition.key());
    }

    @Override
    public String rule() {
      return "linearizability (thesis §6.3)";
    }

    @Override
    public String toString() {
      return "partition " + partition.key() + " has no linearization; #" + partition.failedAt().id()
          + " cannot be placed";
    }
  }

  /** The linearizability search ran out of budget: the history is unproven, so it counts as failed. */
  record CheckerGaveUp(Partition<?, ?> partition) implements Violation {
    @Override
    public String rule() {
      return "linearizability (thesis §6.3): search budget exhausted, history unproven";
    }

    @Override
    public String toString() {
      return "partition " + partition.key() + " of " + partition.operations().size() + " operations: "
          + partition.explanation().strip();
    }
  }

  /** After healing and restarting every node, no new entry committed in time (liveness, §5.2/§9). */
  record NoProgress(String detail) implements Violation {
    @Override
    public String rule() {
      return "liveness after healing (a leader is elected and commits, §5.2)";
    }
  }

  /** The core or the simulated runtime threw, or broke the Ready contract. */
  record Crashed(String detail) implements Violation {
    @Override
    public String rule() {
      return "the core never throws on valid input and honours its Ready contract";
    }
  }
}
