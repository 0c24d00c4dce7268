package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Seeded chaos on the in-test network: messages reordered, dropped and duplicated; partitions;
 * crashes that lose unsynced writes; restarts; proposals, reads and leadership transfers. After
 * every step the network checks Election Safety, Leader Completeness, State Machine Safety and
 * each core's invariants; at the end, Log Matching and that a healed cluster converges. A
 * failing seed is printed in the test name and replays exactly.
 */
class RandomizedClusterTest {

  @TestFactory
  Stream<DynamicTest> safetyHoldsUnderChaos() {
    return LongStream.range(0, 40).mapToObj(seed ->
        DynamicTest.dynamicTest("seed " + seed, () -> run(seed, 3 + (int) (seed % 3), 3_000)));
  }

  @Tag("soak")
  @TestFactory
  Stream<DynamicTest> safetyHoldsUnderLongChaos() {
    return LongStream.range(1_000, 1_400).mapToObj(seed ->
        DynamicTest.dynamicTest("seed " + seed, () -> run(seed, 3 + (int) (seed % 3), 30_000)));
  }

  static void run(long seed, int size, int steps) {
    SplittableRandom random = new SplittableRandom(seed);
    RaftConfig config = Fixtures.plain().withPreVote(random.nextBoolean()).withCheckQuorum(random.nextBoolean())
        .withMaxInflightAppends(1 + random.nextInt(8)).withMaxEntriesPerAppend(1 + random.nextInt(4));
    Network net = new Network(size, config, seed);
    List<NodeId> ids = new ArrayList<>(net.nodes.keySet());
    Set<NodeId> down = new HashSet<>();
    int proposals = 0;
    for (int step = 0; step < steps; step++) {
      NodeId id = ids.get(random.nextInt(size));
      int action = random.nextInt(100);
      if (action < 10) {
        net.tick(id);
      } else if (action < 30) {
        net.writeReady(id);
      } else if (action < 40) {
        net.sync(id);
      } else if (action < 85) {
        net.deliverRandom(random, 0.05, 0.02);
      } else if (action < 92) {
        NodeId leader = net.leader();
        if (leader != null) {
          try {
            net.core(leader).propose(Bytes.ofUtf8("s" + seed + "-" + proposals));
            proposals++;
          } catch (NotLeaderException e) {
            // transferring leadership
          }
        }
      } else if (action < 95) {
        NodeId leader = net.leader();
        if (leader != null) {
          net.core(leader).readIndex(step);
        }
      } else if (action < 96 && random.nextInt(3) == 0) {
        Set<NodeId> side = new HashSet<>();
        for (NodeId n : ids) {
          if (random.nextBoolean()) {
            side.add(n);
          }
        }
        Set<NodeId> rest = new HashSet<>(ids);
        rest.removeAll(side);
        net.heal();
        net.partition(side, rest);
      } else if (action < 97) {
        net.heal();
      } else if (action < 98 && random.nextInt(3) == 0 && down.size() < (size - 1) / 2) {
        net.crash(id);
        down.add(id);
      } else if (action < 99 && down.contains(id)) {
        net.restart(id);
        down.remove(id);
      } else if (action < 100 && random.nextInt(4) == 0) {
        NodeId leader = net.leader();
        if (leader != null) {
          net.core(leader).transferLeadership(ids.get(random.nextInt(size)));
        }
      }
    }
    net.checkLogMatching();

    // Heal everything: the cluster must elect a leader and converge on one log.
    net.heal();
    for (NodeId n : down) {
      net.restart(n);
    }
    net.stabilize();
    NodeId leader = null;
    for (int i = 0; i < 300 && leader == null; i++) {
      NodeId candidate = net.elect(300);
      try {
        net.core(candidate).propose(Bytes.ofUtf8("final"));
        leader = candidate;
      } catch (NotLeaderException e) {
        net.tickAll(1); // a leadership transfer is still running
      }
    }
    assertTrue(leader != null, "seed " + seed + ": no leader accepts proposals");
    net.stabilize();
    net.tickAll(30);
    net.checkLogMatching();
    long commit = net.core(leader).commitIndex();
    assertTrue(commit > 0, "seed " + seed + ": nothing committed");
    for (NodeId n : ids) {
      assertEquals(commit, net.core(n).commitIndex(), "seed " + seed + ": " + n + " did not converge");
    }
  }
}
