package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.Operation;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client history as the cluster itself settled it, for the linearizability check: the
 * simulator sees every node apply every entry, so it can pin down outcomes its clients never
 * learned.
 */
final class SettledHistory {

  /** When an operation's entry was first applied on any node, and with which result. */
  record Applied(long time, Bytes result) {}

  private SettledHistory() {}

  /**
   * A write of unknown outcome whose entry some node applied is completed at its first
   * application, with the result every node computed: a write's linearization point in Raft is its
   * commit, which precedes any application. When {@code everyCommittedEntryApplied} — the healed
   * cluster's leader applied a final entry of its own term, so every entry ever committed was
   * applied at least there (Leader Completeness, §5.4) — a write never applied anywhere never took
   * effect and becomes {@link Operation.Status#FAILED}. Reads of unknown outcome changed nothing
   * and are left out. Each step relies only on properties the invariant checkers verify during
   * the same run; they pin each operation to a narrower window, so the check gets stricter, and
   * the search never has to guess about writes that never happened.
   */
  static <I, O> List<Operation<I, O>> settle(List<Operation<I, O>> history, Map<Long, Applied> firstApplied,
      boolean everyCommittedEntryApplied, Workload<I, O> workload) {
    List<Operation<I, O>> out = new ArrayList<>(history.size());
    for (Operation<I, O> o : history) {
      if (!o.isUnknown()) {
        out.add(o);
        continue;
      }
      if (workload.request(o.input()).isRead()) {
        continue;
      }
      Applied a = firstApplied.get(o.id());
      if (a != null) {
        out.add(Operation.completed(o.id(), o.client(), o.input(), workload.output(o.input(), a.result()),
            o.invokedAt(), Math.max(o.invokedAt(), a.time())));
      } else if (everyCommittedEntryApplied) {
        out.add(Operation.failed(o.id(), o.client(), o.input(), o.invokedAt(), o.invokedAt()));
      } else {
        out.add(o);
      }
    }
    return out;
  }
}
