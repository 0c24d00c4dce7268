package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.ReadTimeoutException;
import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The bookkeeping of pending reads: room, leaving exactly once, timeouts that keep the room. */
class PendingReadsTest {

  private static final Bytes QUERY = Bytes.ofUtf8("q");

  private static Throwable failure(CompletableFuture<Bytes> f) {
    try {
      f.join();
      throw new AssertionError("completed normally");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void roomIsRefusedBeyondTheBoundAndGivenBack() {
    PendingReads reads = new PendingReads(2);
    assertNull(reads.tryReserve());
    assertNull(reads.tryReserve());
    assertEquals("too many pending reads (limit 2)", reads.tryReserve());
    reads.release();
    assertNull(reads.tryReserve());
    assertEquals(2, reads.count());
  }

  @Test
  void aReadLeavesExactlyOnceAndFreesItsRoom() {
    PendingReads reads = new PendingReads(1);
    reads.tryReserve();
    PendingRead read = reads.register(QUERY, new CompletableFuture<>(), 100);
    assertTrue(reads.leave(read));
    assertFalse(reads.leave(read), "a second leave answers nothing");
    assertEquals(0, reads.count());
    assertNull(reads.get(read.id()));
  }

  @Test
  void expiryAnswersOnlyDueReadsAndKeepsTheirRoom() {
    PendingReads reads = new PendingReads(4);
    reads.tryReserve();
    reads.tryReserve();
    PendingRead due = reads.register(QUERY, new CompletableFuture<>(), 100);
    PendingRead later = reads.register(QUERY, new CompletableFuture<>(), 200);

    reads.expire(150, r -> new ReadTimeoutException("timed out " + r.id()));

    assertInstanceOf(ReadTimeoutException.class, failure(due.future()));
    assertFalse(later.future().isDone());
    assertEquals(2, reads.count(), "a timed-out read holds its room until it leaves");
    assertTrue(reads.leave(due));
    assertEquals(1, reads.count());
  }

  @Test
  void failAllAnswersEveryReadStillInTheNode() {
    PendingReads reads = new PendingReads(4);
    reads.tryReserve();
    reads.tryReserve();
    PendingRead first = reads.register(QUERY, new CompletableFuture<>(), 100);
    PendingRead second = reads.register(QUERY, new CompletableFuture<>(), 100);
    reads.leave(second);

    reads.failAll(new NodeStoppedException("stopped"));

    assertInstanceOf(NodeStoppedException.class, failure(first.future()));
    assertFalse(second.future().isDone(), "a read that left is answered by whoever let it leave");
    assertEquals(0, reads.count());
  }
}
