package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Log Matching (§5.3, Figure 3): if two logs contain an entry with the same index and term, then
 * the logs are identical in all entries up through the given index.
 *
 * <p>Checked incrementally on every write to any node's log. Raft's own argument is used as the
 * check: an entry is identified by (index, term) forever, since a leader creates at most one entry
 * per index in its term; so every copy of it, on any node and at any time, must carry the same
 * payload and sit after an entry of the same term. By induction on the index, equal
 * (index, term) then means equal prefixes.
 *
 * <p>One exception, which a crash inside a node's work makes reachable: an entry that no one but
 * its writer could ever have seen — written, neither sent nor synced, then lost in a crash — is
 * forgotten. A lone voter writes its new term and its first entries together; a crash before the
 * sync may keep the entries' loss and the term's loss alike, and the node may then win that term
 * again and write other entries at those indexes. No node, client or state machine can tell the
 * two apart; what Log Matching forbids is two entries at one (index, term) that could both be
 * seen. An entry sent, or durable through a sync, stays recorded forever.
 */
final class LogMatching {

  /** What the first copy of an entry looked like, and where it was seen. */
  private record FirstCopy(LogEntry entry, long previousTerm, NodeId node) {}

  private final Map<IndexTerm, FirstCopy> copies = new HashMap<>();
  /** Per node, the entries it wrote first and that no one else could have seen yet: neither sent nor synced. */
  private final Map<NodeId, Set<IndexTerm>> unseen = new HashMap<>();
  /**
   * Every (index, term) ever sent. A leader sends before it writes (thesis §10.2.1), so an entry
   * may be sent before its first copy is recorded: it must never count as unseen.
   */
  private final Set<IndexTerm> everSent = new HashSet<>();

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
      IndexTerm key = new IndexTerm(e.index(), e.term());
      FirstCopy first = copies.putIfAbsent(key, new FirstCopy(e, prevTerm, node));
      if (first == null && !everSent.contains(key)) {
        unseen.computeIfAbsent(node, n -> new HashSet<>()).add(key);
      }
      if (first != null && (!first.entry().equals(e) || first.previousTerm() != prevTerm)) {
        return List.of(new Violation.LogMismatch(node, e.index(), e.term(), "holds " + e + " after term "
            + prevTerm + ", but " + first.node() + " held " + first.entry() + " after term " + first.previousTerm()));
      }
      prevTerm = e.term();
    }
    return List.of();
  }

  /** {@code entries} left their node in a message: others may hold them. */
  void sent(List<LogEntry> entries) {
    for (LogEntry e : entries) {
      IndexTerm key = new IndexTerm(e.index(), e.term());
      everSent.add(key);
      FirstCopy first = copies.get(key);
      Set<IndexTerm> notSeen = first == null ? null : unseen.get(first.node());
      if (notSeen != null) {
        notSeen.remove(key);
      }
    }
  }

  /** {@code node} synced: everything it wrote is durable, and may be read by a later incarnation of it. */
  void synced(NodeId node) {
    unseen.remove(node);
  }

  /**
   * {@code node} crashed, leaving {@code disk}: entries it alone had written, and lost unseen, are
   * forgotten. Those it kept stay unseen if the crash kept them unsynced (the process's crash, the
   * machine's cache holding them): a later crash may still lose them before anyone sees them.
   */
  void crashed(NodeId node, LogStore disk, boolean keptUnsynced) {
    Set<IndexTerm> notSeen = unseen.remove(node);
    if (notSeen == null) {
      return;
    }
    Set<IndexTerm> stillUnseen = new HashSet<>();
    for (IndexTerm key : notSeen) {
      boolean kept = key.index() >= disk.firstIndex() && key.index() <= disk.lastIndex()
          && disk.term(key.index()) == key.term();
      if (!kept) {
        copies.remove(key);
      } else if (keptUnsynced) {
        stillUnseen.add(key);
      }
    }
    if (!stillUnseen.isEmpty()) {
      unseen.put(node, stillUnseen);
    }
  }
}
