package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.Operation;
import dev.pontoon.raft.log.Bytes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked history keeps what clients saw, and settles unknown writes only by what the cluster applied. */
class SettledHistoryTest {

  private static List<Operation<KvModel.Input, String>> settle(List<Operation<KvModel.Input, String>> history,
      Map<Long, SettledHistory.Applied> applied, boolean everyCommittedEntryApplied) {
    return SettledHistory.settle(history, applied, everyCommittedEntryApplied, new KvWorkload(1));
  }

  @Test
  void unknownWriteAppliedSomewhereCompletesAtItsFirstApplication() {
    List<Operation<KvModel.Input, String>> h = List.of(Operation.unknown(0, 0, new Put("k", "v"), 10));
    assertEquals(List.of(Operation.completed(0, 0, new Put("k", "v"), "OK", 10, 25)),
        settle(h, Map.of(0L, new SettledHistory.Applied(25, Bytes.ofUtf8("OK"))), false));
  }

  @Test
  void unknownWriteNeverAppliedFailsOnlyWhenEveryCommittedEntryWasApplied() {
    List<Operation<KvModel.Input, String>> h = List.of(Operation.unknown(0, 0, new Put("k", "v"), 10));
    assertEquals(Operation.Status.UNKNOWN, settle(h, Map.of(), false).get(0).status());
    assertEquals(Operation.Status.FAILED, settle(h, Map.of(), true).get(0).status());
  }

  @Test
  void unknownReadsAreLeftOutAndAnsweredOperationsKeptAsSeen() {
    Operation<KvModel.Input, String> write = Operation.completed(1, 1, new Put("k", "v"), "OK", 2, 5);
    List<Operation<KvModel.Input, String>> h = List.of(Operation.unknown(0, 0, new Get("k"), 1), write);
    assertEquals(List.of(write), settle(h, Map.of(1L, new SettledHistory.Applied(4, Bytes.ofUtf8("OK"))), true));
  }
}
