package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Leader Completeness (§5.4, Figure 3): if a log entry is committed in a given term, that entry
 * will be present in the logs of the leaders for all higher-numbered terms. Also: a committed
 * entry never changes — every node that counts index {@code i} as committed holds the same
 * entry there.
 *
 * <p>An entry counts as committed once any node's {@code commitIndex} covers it. The term in
 * which it was committed is at most the term of the first node seen covering it, so a leader of a
 * higher term than that must hold it: a sound check (no false alarms) that misses nothing a
 * later leader's election could hide.
 */
final class LeaderCompleteness {
  private long[] committedTerm = new long[1024];
  private long[] observedInTerm = new long[1024];
  private long highestCommitted;

  /**
   * {@code node}, in {@code nodeTerm}, moved its commit index from {@code from} to {@code to};
   * {@code log} holds its log.
   */
  List<Violation> commitAdvanced(NodeId node, long nodeTerm, long from, long to, LogReader log) {
    List<Violation> found = List.of();
    // Entries compacted into a snapshot cannot be read back; the snapshot's last one can.
    for (long i = Math.max(from + 1, log.firstIndex() - 1); i <= to; i++) {
      if (i == 0) {
        continue;
      }
      long term = log.term(i);
      if (i > highestCommitted) {
        grow(i);
        highestCommitted = i;
      }
      if (committedTerm[(int) i] == 0) {
        committedTerm[(int) i] = term; // 0: not seen yet (or hidden in a snapshot when first committed)
        observedInTerm[(int) i] = nodeTerm;
      } else if (committedTerm[(int) i] != term) {
        found = new ArrayList<>(found);
        found.add(new Violation.CommittedEntryChanged(node, i, committedTerm[(int) i], term));
      }
    }
    return found;
  }

  /** {@code node} became leader of {@code term}; {@code log} holds its log. */
  List<Violation> becameLeader(NodeId node, long term, LogReader log) {
    long last = log.lastIndex();
    for (long i = Math.max(1, log.firstIndex() - 1); i <= highestCommitted; i++) {
      if (committedTerm[(int) i] == 0 || observedInTerm[(int) i] >= term) {
        continue;
      }
      long found = i <= last ? log.term(i) : 0;
      if (found != committedTerm[(int) i]) {
        return List.of(new Violation.MissingCommittedEntry(node, term, i, committedTerm[(int) i], found));
      }
    }
    return List.of();
  }

  /** The term of the entry committed at {@code index} as first seen, or 0 when none was seen there. */
  long committedTerm(long index) {
    return index < 1 || index > highestCommitted ? 0 : committedTerm[(int) index];
  }

  private void grow(long index) {
    if (index >= committedTerm.length) {
      int size = (int) Math.max(index + 1, committedTerm.length * 2L);
      committedTerm = java.util.Arrays.copyOf(committedTerm, size);
      observedInTerm = java.util.Arrays.copyOf(observedInTerm, size);
    }
  }
}
