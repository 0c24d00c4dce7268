package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.engine.sim.KvCommand.Get;
import dev.pontoon.raft.engine.sim.KvCommand.Put;
import dev.pontoon.raft.engine.sim.Operation.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The history keeps what clients saw, and settles unknown writes only by what the cluster applied. */
class HistoryTest {

  @Test
  void unknownWriteAppliedSomewhereCompletesAtItsFirstApplication() {
    History h = new History();
    long id = h.invoke(0, new Put("k", "v"), 10);
    Operation o = h.resolved(Map.of(id, new History.Applied(25, "OK")), false).get(0);
    assertEquals(Operation.ok(id, 0, new Put("k", "v"), 10, 25, "OK"), o);
  }

  @Test
  void unknownWriteNeverAppliedFailsOnlyWhenEveryCommittedEntryWasApplied() {
    History h = new History();
    h.invoke(0, new Put("k", "v"), 10);
    assertEquals(Status.UNKNOWN, h.resolved(Map.of(), false).get(0).status());
    assertEquals(Status.FAILED, h.resolved(Map.of(), true).get(0).status());
  }

  @Test
  void readsAndAnsweredOperationsAreKeptAsSeen() {
    History h = new History();
    long read = h.invoke(0, new Get("k"), 1);
    long write = h.invoke(1, new Put("k", "v"), 2);
    h.complete(write, 5, "OK");
    List<Operation> out = h.resolved(Map.of(write, new History.Applied(4, "OK")), true);
    assertEquals(Status.UNKNOWN, out.get((int) read).status());
    assertEquals(5, out.get((int) write).completedAt());
  }

  @Test
  void anOperationEndsOnlyOnce() {
    History h = new History();
    long id = h.invoke(0, new Put("k", "v"), 1);
    h.complete(id, 2, "OK");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.fail(id, 3));
    assertEquals("operation 0 already ended: " + h.get(id), e.getMessage());
  }
}
