package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Election Safety (§5.2, Figure 3): at most one leader can be elected in a given term.
 *
 * <p>Fed the role of every node after every step; remembers the first leader seen in each term,
 * across crashes, and reports any other node that is leader in that term.
 */
final class ElectionSafety {
  private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();

  /** A node's role and term after a step. */
  List<Violation> observe(NodeId node, Role role, long term) {
    if (role != Role.LEADER) {
      return List.of();
    }
    NodeId first = leaderOfTerm.putIfAbsent(term, node);
    if (first == null || first.equals(node)) {
      return List.of();
    }
    return List.of(new Violation.TwoLeaders(term, first, node));
  }
}
