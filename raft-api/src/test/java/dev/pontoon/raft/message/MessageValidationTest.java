package dev.pontoon.raft.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageValidationTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");

  @Test
  void appendEntriesRequiresEntriesConsecutiveFromPrevLogIndex() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new AppendEntries(A, B, 2, 4, 1, List.of(LogEntry.noOp(6, 2)), 0, 0));
    assertEquals("entries must be consecutive from prevLogIndex + 1 (5): found index 6 where 5 was expected",
        e.getMessage());
  }

  @Test
  void appendEntriesCopiesItsEntriesSoTheMessageStaysImmutable() {
    List<LogEntry> entries = new ArrayList<>(List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x"))));
    AppendEntries message = new AppendEntries(A, B, 1, 0, 0, entries, 0, 0);
    entries.clear();
    assertEquals(1, message.entries().size());
    assertEquals(1, message.lastIndex());
  }

  @Test
  void messagesWithEqualFieldsAreEqualValues() {
    assertEquals(new AppendEntries(A, B, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x"))), 0, 3),
        new AppendEntries(A, B, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x"))), 0, 3));
  }

  @Test
  void negativeTermsAndIndexesAreRejectedWithTheFieldName() {
    var e = assertThrows(IllegalArgumentException.class, () -> new TimeoutNow(A, B, -1));
    assertEquals("term (-1) must be >= 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RequestVote(A, B, 1, -2, 0, false, false));
    assertEquals("lastLogIndex (-2) must be >= 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new AppendEntriesResponse(A, B, 1, false, 0, -1, 0, 0));
    assertEquals("conflictTerm (-1) must be >= 0", e.getMessage());
  }

  @Test
  void missingSenderOrReceiverIsRejected() {
    assertThrows(NullPointerException.class, () -> new TimeoutNow(null, B, 1));
    assertThrows(NullPointerException.class, () -> new RequestVoteResponse(A, null, 1, true, false));
  }

  @Test
  void theMessageFamilyHasOneRecordPerRpcAndResponse() {
    assertEquals(7, RaftMessage.class.getPermittedSubclasses().length);
    for (Class<?> type : RaftMessage.class.getPermittedSubclasses()) {
      assertEquals(true, type.isRecord(), type + " must be a record");
    }
  }
}
