package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bounded ring of recently persisted entries. */
class DurableTailTest {

  /** Appends, truncations and evictions, checked against a plain list that applies the same bounds. */
  @Test
  void ringKeepsTheNewestConsecutiveEntriesWithinBothBounds() {
    SplittableRandom random = new SplittableRandom(42);
    int maxEntries = 37;
    long maxBytes = 30 * 40L;
    DurableTail tail = new DurableTail(maxEntries, maxBytes);
    List<LogEntry> model = new ArrayList<>();
    long next = 1;
    for (int step = 0; step < 5_000; step++) {
      if (random.nextInt(10) == 0 && !model.isEmpty()) {
        long from = model.get(0).index() + random.nextInt(model.size());
        tail.truncateFrom(from);
        model.removeIf(e -> e.index() >= from);
        next = from;
      } else {
        List<LogEntry> batch = new ArrayList<>();
        for (int k = random.nextInt(1, 8); k > 0; k--, next++) {
          batch.add(LogEntry.command(next, 1, cmd("x".repeat(random.nextInt(0, 40)))));
        }
        tail.append(batch);
        if (!model.isEmpty() && batch.get(0).index() != model.get(model.size() - 1).index() + 1) {
          model.clear();
        }
        model.addAll(batch);
        long bytes = model.stream().mapToLong(LogEntry::sizeInBytes).sum();
        while (!model.isEmpty() && (model.size() > maxEntries || bytes > maxBytes)) {
          bytes -= model.remove(0).sizeInBytes();
        }
      }
      tail.checkInvariants();
      assertEquals(model.size(), tail.size());
      for (LogEntry e : model) {
        assertEquals(e, tail.get(e.index()));
      }
    }
  }
}
