package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The bounds a reader sees without the lock are those of one state of the store. The class
 * Javadoc allows one writer and any number of readers, and {@link dev.pontoon.raft.storage.LogReader}
 * promises {@code lastIndex() >= firstIndex() - 1} (the last index is {@code firstIndex() - 1} for
 * an empty log, never less).
 */
class InMemoryLogStoreBoundsTest {

  /**
   * A write that moves both bounds (a snapshot past the end of the log: the log restarts after
   * it) publishes them as two volatile stores, first then last. A reader asking
   * {@code firstIndex()} then {@code lastIndex()} in between sees the new first index with the old
   * last index: a "log" whose last index is below its first minus one, a state the store never
   * had. With both bounds behind the store's lock (before the perf commit) a reader that saw the
   * new first index saw the new last index too, and bounds that only rise can never look like
   * that.
   */
  @Test
  void boundsReadWithoutTheLockAreNeverTornAcrossOneWrite() throws Exception {
    InMemoryLogStore store = new InMemoryLogStore();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
      long k = 0;
      while (!stop.get()) {
        k++;
        // The log is empty: each snapshot past its end moves the first index to 10k + 1 and the last to 10k.
        store.truncatePrefix(10 * k, 1);
        if (k % 1024 == 0) {
          store.sync(); // forgets the undo records
        }
      }
      return k;
    });

    String torn = null;
    long reads = 0;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // the torn read showed within 0.3 s
    try {
      while (torn == null && System.nanoTime() - until < 0) {
        long first = store.firstIndex();
        long last = store.lastIndex();
        reads++;
        if (last < first - 1) {
          torn = "firstIndex() " + first + " then lastIndex() " + last;
        }
      }
    } finally {
      stop.set(true);
    }
    long writes = writer.get(20, TimeUnit.SECONDS);

    assertTrue(writes > 0 && reads > 0);
    assertEquals(null, torn, "after " + reads + " reads during " + writes + " writes, a reader saw bounds no"
        + " state of the store had (the last index below the first minus one)");
  }
}
