package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The network model cuts exactly the links its partition shapes say, and nothing is random but the seed. */
class SimulatedNetworkTest {

  private static SimulatedNetwork network(int size, FaultPlan plan, long seed) {
    return new SimulatedNetwork(size, plan, new SplittableRandom(seed));
  }

  @Test
  void sameSeedGivesTheSameFateToEveryMessage() {
    FaultPlan plan = new FaultPlan(0.2, 0.3, 20, 0.1, 0.1, 5, 0.05, 0.1, 0, 0);
    SimulatedNetwork a = network(5, plan, 99);
    SimulatedNetwork b = network(5, plan, 99);
    for (int i = 0; i < 1000; i++) {
      assertArrayEquals(a.delaysForSend(), b.delaysForSend());
    }
  }

  @Test
  void lossDuplicationAndDelayFollowThePlan() {
    SimulatedNetwork net = network(3, new FaultPlan(0.25, 0.5, 7, 0, 0, 0, 0, 0, 0, 0), 1);
    int lost = 0;
    int duplicated = 0;
    for (int i = 0; i < 10_000; i++) {
      long[] delays = net.delaysForSend();
      lost += delays.length == 0 ? 1 : 0;
      duplicated += delays.length == 2 ? 1 : 0;
      for (long d : delays) {
        assertTrue(d >= 1 && d <= 7, "delay " + d);
      }
    }
    assertTrue(lost > 2_000 && lost < 3_000, "lost " + lost);
    assertTrue(duplicated > 3_000 && duplicated < 4_500, "duplicated " + duplicated);
  }

  @Test
  void calmNetworkNeverLosesOrDuplicates() {
    SimulatedNetwork net = network(3, FaultPlan.calm(), 5);
    for (int i = 0; i < 1000; i++) {
      assertEquals(1, net.delaysForSend().length);
    }
  }

  @Test
  void isolatedNodeNeitherSendsNorReceives() {
    SimulatedNetwork net = network(5, FaultPlan.calm(), 3);
    net.partition(SimulatedNetwork.Shape.ISOLATED_NODE, 2);
    for (int other = 0; other < 5; other++) {
      if (other != 2) {
        assertFalse(net.connected(2, other));
        assertFalse(net.connected(other, 2));
        assertTrue(net.connected(other, (other + 1) % 5 == 2 ? (other + 2) % 5 : (other + 1) % 5));
      }
    }
  }

  @Test
  void majorityMinorityLeavesAMajorityConnected() {
    for (long seed = 0; seed < 50; seed++) {
      SimulatedNetwork net = network(5, FaultPlan.calm(), seed);
      net.partition(SimulatedNetwork.Shape.MAJORITY_MINORITY, 0);
      int reachableFrom0 = 0;
      for (int b = 0; b < 5; b++) {
        reachableFrom0 += net.connected(0, b) ? 1 : 0;
      }
      assertTrue(reachableFrom0 >= 1 && reachableFrom0 <= 4, "seed " + seed);
      assertTrue(net.isPartitioned());
    }
  }

  @Test
  void bridgeNodeTalksToBothSides() {
    SimulatedNetwork net = network(5, FaultPlan.calm(), 11);
    net.partition(SimulatedNetwork.Shape.BRIDGE, 4);
    int cutLinks = 0;
    for (int a = 0; a < 5; a++) {
      assertTrue(net.connected(4, a));
      assertTrue(net.connected(a, 4));
      for (int b = 0; b < 5; b++) {
        cutLinks += net.connected(a, b) ? 0 : 1;
      }
    }
    assertTrue(cutLinks > 0);
  }

  @Test
  void healRestoresEveryLink() {
    SimulatedNetwork net = network(3, FaultPlan.calm(), 2);
    net.partition(SimulatedNetwork.Shape.ISOLATED_NODE, 0);
    net.heal();
    assertFalse(net.isPartitioned());
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        assertTrue(net.connected(a, b));
      }
    }
  }

  @Test
  void someMessagesArriveSeveralElectionTimeoutsLate() {
    SimulatedNetwork net = network(3, new FaultPlan(0, 0, 5, 0, 0, 0, 0, 0, 0.5, 0), 9);
    int late = 0;
    for (int i = 0; i < 1_000; i++) {
      long[] delays = net.delaysForSend();
      assertEquals(1, delays.length);
      if (delays[0] > 5) {
        late++;
        assertTrue(delays[0] >= FaultPlan.LONG_DELAY_MIN_TICKS * VirtualClock.UNITS_PER_TICK
            && delays[0] <= FaultPlan.LONG_DELAY_MAX_TICKS * VirtualClock.UNITS_PER_TICK, "delay " + delays[0]);
      }
    }
    assertTrue(late > 400 && late < 600, late + " of 1000 held long");
  }

  @Test
  void faultPlanRejectsRatesOutsideTheUnitInterval() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FaultPlan(1.0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
    assertEquals("dropRate (1.0) must be in [0, 1)", e.getMessage());
  }

  @Test
  void virtualClockNeverGoesBack() {
    VirtualClock clock = new VirtualClock();
    clock.advanceTo(5);
    assertEquals(5, clock.now());
    assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(4));
  }
}
