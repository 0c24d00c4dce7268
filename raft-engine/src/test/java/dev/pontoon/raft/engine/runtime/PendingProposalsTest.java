package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PendingProposalsTest {

  private final PendingProposals pending = new PendingProposals(2, 100,
      new NodeMetrics(new SimpleMeterRegistry(), "g", NodeId.of("n1"), null), System::nanoTime);

  private PendingProposal add(long index, long term, int size, long deadline) {
    assertNull(pending.tryReserve(size));
    PendingProposal p = new PendingProposal(index, term, size, 0, deadline, new CompletableFuture<>());
    pending.add(p);
    return p;
  }

  private static Throwable cause(CompletableFuture<Bytes> f) {
    try {
      f.get();
      throw new AssertionError("future completed normally");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void reservationBeyondTheCountBoundIsRefusedWithTheLimit() {
    assertNull(pending.tryReserve(1));
    assertNull(pending.tryReserve(1));
    assertEquals("too many pending proposals (limit 2)", pending.tryReserve(1));
    pending.release(1);
    assertNull(pending.tryReserve(1));
  }

  @Test
  void reservationBeyondTheByteBoundIsRefusedAndUndone() {
    assertNull(pending.tryReserve(60));
    assertEquals("too many pending bytes (60 + 50 > limit 100)", pending.tryReserve(50));
    assertEquals(1, pending.count(), "a refused reservation holds no room");
    assertEquals("command of 101 bytes exceeds maxPendingBytes (100)", pending.tryReserve(101));
  }

  @Test
  void reservationIsRefusedWhileTheLeadersUnsyncedWritesExceedEitherBound() {
    pending.unsynced(2, 100);
    assertNull(pending.tryReserve(1), "within both bounds");
    pending.release(1);

    pending.unsynced(3, 10);
    assertEquals("its own log sync is behind (3 entries, 10 bytes not yet durable; limit 2 entries or 100 bytes)",
        pending.tryReserve(1));
    pending.unsynced(1, 101);
    assertEquals("its own log sync is behind (1 entries, 101 bytes not yet durable; limit 2 entries or 100 bytes)",
        pending.tryReserve(1));
    assertEquals(0, pending.count(), "a refused reservation holds no room");
    pending.unsynced(0, 0);
    assertNull(pending.tryReserve(1));
    assertNull(pending.tryReserve(1));
    pending.unsynced(3, 10);
    assertEquals("too many pending proposals (limit 2)", pending.tryReserve(1), "the pending bound's reason comes first");

    pending.unsynced(0, 0);
    pending.release(1);
    assertNull(pending.tryReserve(1), "taken again once the disk caught up");
  }

  @Test
  void entryOfTheProposalsTermCompletesItWithTheResultAndFreesItsRoom() throws Exception {
    PendingProposal p = add(5, 2, 10, Long.MAX_VALUE);
    pending.applied(LogEntry.command(5, 2, Bytes.ofUtf8("x")), Bytes.ofUtf8("ok"), () -> null);
    assertEquals(Bytes.ofUtf8("ok"), p.future.get());
    assertEquals(0, pending.count());
  }

  @Test
  void entryOfAnotherTermAtTheIndexFailsItAsNeverCommitted() {
    PendingProposal p = add(5, 2, 10, Long.MAX_VALUE);
    pending.applied(LogEntry.noOp(5, 3), null, () -> new NotLeaderException(NodeId.of("n1"), NodeId.of("n2")));
    NotLeaderException e = assertInstanceOf(NotLeaderException.class, cause(p.future));
    assertEquals(NodeId.of("n2"), e.leaderHint().orElseThrow());
  }

  @Test
  void leadershipLossFailsOnlyProposalsAboveWhatWasHandedToApply() {
    PendingProposal committed = add(5, 2, 10, Long.MAX_VALUE);
    PendingProposal uncommitted = add(6, 2, 10, Long.MAX_VALUE);
    assertEquals(1, pending.failAbove(5, new IndeterminateStateException("lost")));
    assertTrue(cause(uncommitted.future) instanceof IndeterminateStateException);
    assertTrue(!committed.future.isDone());
  }

  @Test
  void proposalIsAnsweredOnceEvenWhenTimeoutAndApplyRace() throws Exception {
    PendingProposal p = add(5, 2, 10, 100);
    pending.expire(100, x -> new IndeterminateStateException("timeout"));
    pending.applied(LogEntry.command(5, 2, Bytes.EMPTY), Bytes.ofUtf8("late"), () -> null);
    assertTrue(cause(p.future) instanceof IndeterminateStateException);
    assertEquals(0, pending.count(), "room is released exactly once");
  }

  @Test
  void expiryStopsAtTheFirstProposalStillInTime() {
    PendingProposal early = add(5, 2, 10, 100);
    PendingProposal late = add(6, 2, 10, 200);
    pending.expire(150, x -> new IndeterminateStateException("timeout"));
    assertTrue(early.future.isCompletedExceptionally());
    assertTrue(!late.future.isDone());
  }

  @Test
  void anIndexThatALostLeadershipFailedMayBeProposedAgainInALaterTerm() throws Exception {
    PendingProposal first = add(5, 2, 10, 100);
    PendingProposal second = add(6, 2, 10, 100);
    assertEquals(2, pending.failAbove(4, new IndeterminateStateException("lost leadership")));
    assertTrue(first.future.isCompletedExceptionally());
    assertTrue(second.future.isCompletedExceptionally());

    PendingProposal again = add(5, 3, 10, 200);
    pending.applied(LogEntry.command(5, 3, Bytes.EMPTY), Bytes.ofUtf8("ok"), () -> null);

    assertEquals(Bytes.ofUtf8("ok"), again.future.get());
    assertEquals(0, pending.count());
  }

  @Test
  void aProposalAtOrBelowOneStillWaitingIsRefused() {
    add(6, 2, 10, 100);
    assertNull(pending.tryReserve(10));
    PendingProposal lower = new PendingProposal(6, 3, 10, 0, 100, new CompletableFuture<>());
    assertThrows(IllegalStateException.class, () -> pending.add(lower));
  }

  @Test
  void appliedEntriesThatAreNoProposalLeaveTheWaitingOnesAlone() throws Exception {
    PendingProposal p = add(6, 2, 10, 100);
    pending.applied(LogEntry.command(4, 2, Bytes.EMPTY), Bytes.ofUtf8("other"), () -> null);
    pending.applied(LogEntry.command(5, 2, Bytes.EMPTY), Bytes.ofUtf8("other"), () -> null);
    assertTrue(!p.future.isDone());

    pending.applied(LogEntry.command(6, 2, Bytes.EMPTY), Bytes.ofUtf8("mine"), () -> null);
    assertEquals(Bytes.ofUtf8("mine"), p.future.get());
  }

  @Test
  void aProposalAnsweredOutOfOrderIsStillFoundBehindTheHead() throws Exception {
    PendingProposal head = add(5, 2, 10, 100);
    PendingProposal behind = add(6, 2, 10, 100);
    // A snapshot restore may skip index 5 on this node; 6 is then applied while 5 still waits.
    pending.applied(LogEntry.command(6, 2, Bytes.EMPTY), Bytes.ofUtf8("six"), () -> null);
    assertEquals(Bytes.ofUtf8("six"), behind.future.get());
    assertTrue(!head.future.isDone());
    pending.failUpTo(5, new IndeterminateStateException("skipped by a snapshot"));
    assertTrue(head.future.isCompletedExceptionally());
    assertEquals(0, pending.count());
  }
}
