package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 2: {@code currentTerm} is persistent and "increases monotonically"; {@code commitIndex}
 * is volatile and never goes down while a node runs (after a crash it is "initialized to 0").
 *
 * <p>Within one run of a node neither may go down. Across a crash, the term may fall back only
 * to the last term made durable: a term the node adopted but never synced was never promised to
 * anyone (votes and acks wait for the sync), so losing it is allowed; falling below a synced
 * term is not.
 */
final class MonotonicTermAndCommit {
  /** Per node: highest term seen in this run, highest commit index in this run, highest synced term. */
  private final Map<NodeId, long[]> last = new HashMap<>();

  /** A node's term and commit index after a step. */
  List<Violation> observe(NodeId node, long term, long commitIndex) {
    long[] seen = last.computeIfAbsent(node, n -> new long[3]);
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

  /** {@code node}'s store made {@code term} durable. */
  void synced(NodeId node, long term) {
    long[] seen = last.computeIfAbsent(node, n -> new long[3]);
    seen[2] = Math.max(seen[2], term);
  }

  /** The node crashed: its volatile commit index is gone, and so is any term it never synced. */
  void crashed(NodeId node) {
    long[] seen = last.get(node);
    if (seen != null) {
      seen[0] = seen[2];
      seen[1] = 0;
    }
  }
}
