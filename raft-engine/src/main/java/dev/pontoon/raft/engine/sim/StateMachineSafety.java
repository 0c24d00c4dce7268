package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * State Machine Safety (§5.4.3, Figure 3): if a server has applied a log entry at a given index
 * to its state machine, no other server will ever apply a different log entry for the same
 * index. Also checks that each node applies in log order without gaps (Figure 2, "increment
 * lastApplied, apply log[lastApplied]"), starting again from 1 after a restart, and that the
 * command at an index gives the same result on every replica and every replay (the
 * {@code StateMachine} contract's determinism, which State Machine Safety presumes).
 */
final class StateMachineSafety {
  private final List<LogEntry> appliedAt = new ArrayList<>();
  private final List<NodeId> firstApplier = new ArrayList<>();
  private final Map<NodeId, Long> lastApplied = new HashMap<>();
  /** Runtime mode: the command first applied at each index, and by whom. */
  private final Map<Long, Bytes> commandAt = new HashMap<>();
  private final Map<Long, NodeId> commandApplier = new HashMap<>();
  /** The result first computed for the command at each index, and by whom. */
  private final Map<Long, Bytes> resultAt = new HashMap<>();
  private final Map<Long, NodeId> resultComputer = new HashMap<>();

  /** {@code node} applied {@code entry}. */
  List<Violation> applied(NodeId node, LogEntry entry) {
    long expected = lastApplied.getOrDefault(node, 0L) + 1;
    if (entry.index() != expected) {
      return List.of(new Violation.OutOfOrderApply(node, expected, entry.index()));
    }
    lastApplied.put(node, entry.index());
    int slot = (int) (entry.index() - 1);
    if (slot == appliedAt.size()) {
      appliedAt.add(entry);
      firstApplier.add(node);
      return List.of();
    }
    LogEntry first = appliedAt.get(slot);
    if (!first.equals(entry)) {
      return List.of(new Violation.DivergentApply(node, entry.index(), entry.toString(), firstApplier.get(slot),
          first.toString()));
    }
    return List.of();
  }

  /**
   * {@code node}'s state machine applied the command {@code payload} at {@code index}. A runtime
   * hands a state machine only commands, so indexes skip no-ops: they must grow, and the command
   * at an index must be the one every other node applied there.
   */
  List<Violation> appliedCommand(NodeId node, long index, Bytes payload) {
    long last = lastApplied.getOrDefault(node, 0L);
    if (index <= last) {
      return List.of(new Violation.OutOfOrderApply(node, last + 1, index));
    }
    lastApplied.put(node, index);
    Bytes first = commandAt.putIfAbsent(index, payload);
    if (first == null) {
      commandApplier.put(index, node);
      return List.of();
    }
    if (!first.equals(payload)) {
      return List.of(new Violation.DivergentApply(node, index, payload.toString(), commandApplier.get(index),
          first.toString()));
    }
    return List.of();
  }

  /**
   * {@code node}'s state machine answered {@code result} to the command at {@code index}: every
   * replica, and every replay after a restart, must answer the same.
   */
  List<Violation> appliedResult(NodeId node, long index, Bytes result) {
    Bytes first = resultAt.putIfAbsent(index, result);
    if (first == null) {
      resultComputer.put(index, node);
      return List.of();
    }
    if (!first.equals(result)) {
      return List.of(new Violation.DivergentResult(node, index, Request.printable(result), resultComputer.get(index),
          Request.printable(first)));
    }
    return List.of();
  }

  /** The node restarted with an empty state machine: it applies again from index 1. */
  void restarted(NodeId node) {
    lastApplied.put(node, 0L);
  }

  /** The node's state machine now holds a snapshot up to {@code index}: it applies on from the next. */
  void restoredTo(NodeId node, long index) {
    lastApplied.put(node, index);
  }
}
