package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogCompactedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers racing the writer's truncations see either an out-of-range answer or entries exactly
 * as written — never a false corruption report and never a half-applied truncation.
 */
class ConcurrentTruncationTest {
  @TempDir Path dir;

  @Test
  void readersRacingTruncationsNeverSeeAHalfAppliedTruncation() throws Exception {
    try (RocksDbLogStore store = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")))) {
      store.append(batch(1, 20, 1));
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> readUntil(store, done));

      long term = 1;
      for (int round = 0; round < 300; round++) {
        long from = store.lastIndex() - 5;
        store.truncateSuffix(from);
        store.append(batch(from, from + 9, ++term));
        if (round % 50 == 49) {
          store.truncatePrefix(store.firstIndex() + 10, store.term(store.firstIndex() + 10));
        }
      }
      done.set(true);

      assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
    }
  }

  private static int readUntil(RocksDbLogStore store, AtomicBoolean done) {
    int reads = 0;
    while (!done.get() || reads == 0) {
      try {
        long first = store.firstIndex();
        List<LogEntry> read = store.entries(first, store.lastIndex() + 1, Long.MAX_VALUE);
        long previousTerm = 0;
        for (int i = 0; i < read.size(); i++) {
          LogEntry e = read.get(i);
          assertEquals(first + i, e.index());
          assertTrue(e.term() >= previousTerm, "terms never decrease");
          assertEquals(payload(e.index(), e.term()), e.payload());
          previousTerm = e.term();
        }
        reads++;
      } catch (IndexOutOfBoundsException | LogCompactedException raced) {
        // The writer moved the bounds between our two calls: allowed by LogReader's contract.
      }
    }
    return reads;
  }

  private static List<LogEntry> batch(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(LogEntry.command(i, term, payload(i, term)));
    }
    return out;
  }

  private static Bytes payload(long index, long term) {
    return Bytes.ofUtf8(index + "@" + term);
  }
}
