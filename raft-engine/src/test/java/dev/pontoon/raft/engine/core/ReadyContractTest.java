package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A {@link Ready} that changes the log always asks for a sync, so drivers test only {@code mustSync}. */
class ReadyContractTest {

  @Test
  void aReadyThatAppendsEntriesWithoutMustSyncIsRefused() {
    List<LogEntry> entries = List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x")));
    assertThrows(IllegalArgumentException.class, () -> new Ready(null, entries, null, false, List.of(), List.of(),
        List.of(), List.of(), List.of()));
  }
}
