package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.Bytes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProposalLingerTest {

  private static final long LINGER = 200_000;

  private static ProposalLinger.Held write(String s) {
    return new ProposalLinger.Held(Bytes.ofUtf8(s), new CompletableFuture<>(), 0);
  }

  @Test
  void aWriteIsNotHeldWhenNoneWasAnswered() {
    ProposalLinger linger = new ProposalLinger(LINGER);
    assertFalse(linger.hold(write("a"), 1_000));
    assertFalse(linger.isHolding());
  }

  @Test
  void holdsUntilAsManyWritesAsWereAnsweredHaveArrived() {
    ProposalLinger linger = new ProposalLinger(LINGER);
    linger.answered(3, 1_000);
    assertTrue(linger.hold(write("a"), 1_010));
    assertTrue(linger.began(), "the first held write begins a hold, which needs its timer");
    assertFalse(linger.complete());
    assertTrue(linger.hold(write("b"), 1_020));
    assertFalse(linger.began());
    assertTrue(linger.hold(write("c"), 1_030));
    assertTrue(linger.complete(), "three answered, three back");
  }

  @Test
  void releaseHandsBackTheHeldWritesInArrivalOrderAndForgetsTheExpectation() {
    ProposalLinger linger = new ProposalLinger(LINGER);
    linger.answered(5, 1_000);
    ProposalLinger.Held a = write("a");
    ProposalLinger.Held b = write("b");
    linger.hold(a, 1_001);
    linger.hold(b, 1_002);
    long hold = linger.currentHold();
    assertEquals(List.of(a, b), linger.release());
    assertFalse(linger.isHolding());
    assertTrue(linger.currentHold() != hold, "a timer of the hold that ended must find it over");
    assertFalse(linger.hold(write("c"), 1_003), "the three still expected are forgotten with the hold");
  }

  @Test
  void answersOlderThanTheLingerHoldNothing() {
    ProposalLinger linger = new ProposalLinger(LINGER);
    linger.answered(4, 1_000);
    assertFalse(linger.hold(write("a"), 1_000 + LINGER + 1), "those clients did not come back promptly");
    assertFalse(linger.hold(write("b"), 1_000 + LINGER + 2));
  }

  @Test
  void aZeroLingerNeverHolds() {
    ProposalLinger linger = new ProposalLinger(0);
    linger.answered(10, 1_000);
    assertFalse(linger.hold(write("a"), 1_000));
  }

  @Test
  void aNegativeLingerIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ProposalLinger(-1));
  }
}
