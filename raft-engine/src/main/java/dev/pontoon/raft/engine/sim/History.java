package dev.pontoon.raft.engine.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The clients' record of what they asked and what they were told, in virtual time: the input of
 * the {@link LinearizabilityChecker}.
 */
final class History {

  /** When an operation's entry was first applied on any node, and with which result. */
  record Applied(long time, String result) {}

  private final List<Operation> operations = new ArrayList<>();

  /** Records an invocation and returns the operation's id. */
  long invoke(int client, KvCommand command, long time) {
    long id = operations.size();
    operations.add(Operation.unknown(id, client, command, time));
    return id;
  }

  /** The response {@code result} arrived at {@code time}. */
  void complete(long id, long time, String result) {
    Operation o = pendingOperation(id);
    operations.set((int) id, Operation.ok(id, o.client(), o.command(), o.invokedAt(), time, result));
  }

  /** The operation definitely did not take effect. */
  void fail(long id, long time) {
    Operation o = pendingOperation(id);
    operations.set((int) id, new Operation(id, o.client(), o.command(), o.invokedAt(), time, Operation.Status.FAILED,
        null));
  }

  /** The invocation of {@code id}. */
  Operation get(long id) {
    return operations.get((int) id);
  }

  int size() {
    return operations.size();
  }

  /**
   * The history as the cluster itself settled it. A write of unknown outcome whose entry some
   * node applied is completed at its first application, with the result every node computed: a
   * write's linearization point in Raft is its commit, which precedes any application. When
   * {@code everyCommittedEntryApplied} — the healed cluster's leader applied a final entry of its
   * own term, so every entry ever committed was applied at least there (Leader Completeness,
   * §5.4) — a write never applied anywhere never took effect and becomes {@link
   * Operation.Status#FAILED}. Both steps rely only on properties the invariant checkers verify
   * during the same run; they pin each operation to a narrower window, so the check gets
   * stricter, and the search never has to guess about writes that never happened.
   */
  List<Operation> resolved(Map<Long, Applied> firstApplied, boolean everyCommittedEntryApplied) {
    List<Operation> out = new ArrayList<>(operations.size());
    for (Operation o : operations) {
      if (o.status() != Operation.Status.UNKNOWN || !o.command().isWrite()) {
        out.add(o);
        continue;
      }
      Applied a = firstApplied.get(o.id());
      if (a != null) {
        out.add(Operation.ok(o.id(), o.client(), o.command(), o.invokedAt(), Math.max(o.invokedAt(), a.time()),
            a.result()));
      } else if (everyCommittedEntryApplied) {
        out.add(new Operation(o.id(), o.client(), o.command(), o.invokedAt(), o.invokedAt(), Operation.Status.FAILED,
            null));
      } else {
        out.add(o);
      }
    }
    return out;
  }

  private Operation pendingOperation(long id) {
    Operation o = operations.get((int) id);
    if (o.status() != Operation.Status.UNKNOWN) {
      throw new IllegalStateException("operation " + id + " already ended: " + o);
    }
    return o;
  }
}
