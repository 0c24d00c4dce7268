package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 2: {@code currentTerm} is persistent and "increases monotonically" — it never goes
 * down, not even across a crash and restart; {@code commitIndex} is volatile and never goes down
 * while a node runs (it restarts from 0 after a crash, as Figure 2 says, "initialized to 0").
 */
final class MonotonicTermAndCommit {
  private final Map<NodeId, long[]> last = new HashMap<>();

  /** A node's term and commit index after a step. */
  List<Violation> observe(NodeId node, long term, long commitIndex) {
    long[] seen = last.computeIfAbsent(node, n -> new long[2]);
    List<Violation> found = List.of();
    if (term < seen[0]) {
      found = new ArrayList<>(found);
      found.add(new Violation.TermDecreased(node, seen[0], term));
    }
    if (commitIndex < seen[1]) {
      found = new ArrayList<>(found);
      found.add(new Violation.CommitDecreased(node, seen[1], commitIndex));
    }
    seen[0] = Math.max(seen[0], term);
    seen[1] = Math.max(seen[1], commitIndex);
    return found;
  }

  /** The node crashed: its volatile commit index is gone, its term is not. */
  void crashed(NodeId node) {
    long[] seen = last.get(node);
    if (seen != null) {
      seen[1] = 0;
    }
  }
}
