package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@link Ready} that changes the log always asks for a sync, so drivers test only
 * {@code mustSync}; and its lists are its own: immutable, and unchanged by what happens to the
 * lists it was built from (the core reuses and clears its outbox lists after each Ready).
 */
class ReadyContractTest {

  @Test
  void aReadyThatAppendsEntriesWithoutMustSyncIsRefused() {
    List<LogEntry> entries = List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x")));
    assertThrows(IllegalArgumentException.class, () -> new Ready(null, entries, null, false, List.of(), List.of(),
        List.of(), List.of(), List.of()));
  }

  @Test
  void aReadysListsAreImmutableCopiesWhetherEmptyOrNot() {
    List<RaftMessage> sendNow = new ArrayList<>(List.of(new TimeoutNow(NodeId.of("n1"), NodeId.of("n2"), 1)));
    List<RaftMessage> sendAfterSync = new ArrayList<>();
    List<Long> readsAborted = new ArrayList<>();
    Ready ready = new Ready(null, List.of(), null, false, sendNow, sendAfterSync, List.of(), List.of(), readsAborted);

    sendNow.clear();
    sendAfterSync.add(new TimeoutNow(NodeId.of("n1"), NodeId.of("n3"), 1));
    readsAborted.add(7L);

    assertAll(
        () -> assertEquals(1, ready.sendNow().size()),
        () -> assertTrue(ready.sendAfterSync().isEmpty()),
        () -> assertTrue(ready.readsAborted().isEmpty()),
        () -> assertThrows(UnsupportedOperationException.class, () -> ready.sendNow().clear()),
        () -> assertThrows(UnsupportedOperationException.class, () -> ready.sendAfterSync().add(null)),
        () -> assertThrows(UnsupportedOperationException.class, () -> ready.readsAborted().add(1L)));
  }
}
