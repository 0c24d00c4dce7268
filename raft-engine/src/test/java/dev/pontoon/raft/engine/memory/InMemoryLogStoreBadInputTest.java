package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad input to a write is refused with {@link IllegalArgumentException} and changes nothing (the
 * {@code LogStore} contract), in the live store and in what a crash would keep.
 */
class InMemoryLogStoreBadInputTest {

  /**
   * A snapshot whose last included index is {@code Long.MAX_VALUE} leaves no index for the log to
   * start at ({@code lastIncludedIndex + 1} overflows): refused before anything changes.
   */
  @Test
  void aCompactionThroughTheLastPossibleIndexIsRefusedAndChangesNothing() {
    HardState voted = new HardState(3, NodeId.of("n2"), 2);
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(entries(1, 5));
    store.saveHardState(voted);
    store.sync();

    IllegalArgumentException refused = refusal(() -> store.truncatePrefix(Long.MAX_VALUE, 1));
    store.sync();
    InMemoryLogStore recovered = store.durableCopy();
    assertAll(
        () -> assertNotNull(refused, "the compaction through Long.MAX_VALUE was refused"),
        () -> assertEquals(1, store.firstIndex(), "first index after the refused compaction"),
        () -> assertEquals(5, store.lastIndex(), "last index after the refused compaction"),
        () -> assertEquals(entries(1, 5), store.entries(1, 6, Long.MAX_VALUE), "the log after the refused compaction"),
        () -> assertEquals(voted, store.loadHardState(), "hard state after the refused compaction"),
        () -> assertEquals(1, recovered.firstIndex(), "first index after a crash"),
        () -> assertEquals(5, recovered.lastIndex(), "last index after a crash"));
  }

  /** The {@link IllegalArgumentException} {@code write} threw, or null: the state is checked either way. */
  private static IllegalArgumentException refusal(Runnable write) {
    try {
      write.run();
      return null;
    } catch (IllegalArgumentException e) {
      return e;
    }
  }

  private static List<LogEntry> entries(long from, long to) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("v" + i)));
    }
    return entries;
  }
}
