package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Log Matching (§5.3, Figure 3): if two logs contain an entry with the same index and term, then
 * the logs are identical in all entries up through the given index.
 *
 * <p>Checked incrementally on every write to any node's log. Raft's own argument is used as the
 * check: an entry is identified by (index, term) forever, since a leader creates at most one entry
 * per index in its term; so every copy of it, on any node and at any time, must carry the same
 * payload and sit after an entry of the same term. By induction on the index, equal
 * (index, term) then means equal prefixes.
 */
final class LogMatching {

  /** What the first copy of an entry looked like, and where it was seen. */
  private record FirstCopy(LogEntry entry, long previousTerm, NodeId node) {}

  private final Map<IndexTerm, FirstCopy> copies = new HashMap<>();

  private record IndexTerm(long index, long term) {}

  /**
   * {@code node} wrote {@code entries} to its log (after truncating any conflicting suffix), the
   * first right after an entry of term {@code previousTerm} (0 at the start of the log).
   */
  List<Violation> written(NodeId node, List<LogEntry> entries, long previousTerm) {
    long prevTerm = previousTerm;
    for (LogEntry e : entries) {
      if (e.term() < prevTerm) {
        return List.of(new Violation.LogMismatch(node, e.index(), e.term(),
            "entry term " + e.term() + " is below its predecessor's term " + prevTerm));
      }
      FirstCopy first = copies.putIfAbsent(new IndexTerm(e.index(), e.term()), new FirstCopy(e, prevTerm, node));
      if (first != null && (!first.entry().equals(e) || first.previousTerm() != prevTerm)) {
        return List.of(new Violation.LogMismatch(node, e.index(), e.term(), "holds " + e + " after term "
            + prevTerm + ", but " + first.node() + " held " + first.entry() + " after term " + first.previousTerm()));
      }
      prevTerm = e.term();
    }
    return List.of();
  }
}
