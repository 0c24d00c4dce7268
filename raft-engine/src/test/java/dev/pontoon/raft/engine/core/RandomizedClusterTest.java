package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.message.AppendEntriesResponse;
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
 * crashes that lose unsynced writes; restarts; proposals, reads and leadership transfers; in half
 * the seeds, committed entries handed out in tiny pieces under a tiny applying budget. After
 * every step the network checks Election Safety, Leader Completeness, State Machine Safety and
 * each core's invariants; at the end, Log Matching and that a healed cluster converges. A
 * failing seed is printed in the test name and replays exactly.
 */
class RandomizedClusterTest {

  @TestFactory
  Stream<DynamicTest> safetyHoldsUnderChaos() {
    return LongStream.range(0, 40).mapToObj(seed ->
        DynamicTest.dynamicTest("seed " + seed, () -> new Chaos(seed, 3 + (int) (seed % 3)).run(3_000)));
  }

  @Tag("soak")
  @TestFactory
  Stream<DynamicTest> safetyHoldsUnderLongChaos() {
    return LongStream.range(1_000, 1_400).mapToObj(seed ->
        DynamicTest.dynamicTest("seed " + seed, () -> new Chaos(seed, 3 + (int) (seed % 3)).run(30_000)));
  }

  /** The core is deterministic: the same seed replays the same run, down to every stored entry and applied command. */
  @org.junit.jupiter.api.Test
  void sameSeedReplaysExactly() {
    Chaos first = new Chaos(77, 5);
    first.run(3_000);
    Chaos second = new Chaos(77, 5);
    second.run(3_000);

    assertEquals(first.fingerprint(), second.fingerprint());
  }

  /** One seeded run. */
  private static final class Chaos {
    private final long seed;
    private final int size;
    private final SplittableRandom random;
    private final Network net;
    private final List<NodeId> ids;
    private final Set<NodeId> down = new HashSet<>();
    private int proposals;
    private final boolean compaction;

    Chaos(long seed, int size) {
      this.seed = seed;
      this.size = size;
      this.random = new SplittableRandom(seed);
      RaftConfig config = Fixtures.plain().withPreVote(random.nextBoolean()).withCheckQuorum(random.nextBoolean())
          .withMaxInflightAppends(1 + random.nextInt(8)).withMaxEntriesPerAppend(1 + random.nextInt(4));
      if (random.nextBoolean()) {
        // Committed entries handed out a few at a time, pausing until the lagging reports of
        // two-phase driving free the applying budget (entries here weigh 24 to about 40 bytes).
        long perReady = 24 + random.nextInt(120);
        config = config.withMaxCommittedBytesPerReady(perReady).withMaxApplyingBytes(perReady + random.nextInt(200));
      }
      this.net = new Network(size, config, seed);
      if (random.nextInt(4) == 0) {
        // Peers that give no backtracking hint (§5.3 without the optimisation).
        net.rewriteWith(m -> m instanceof AppendEntriesResponse r && !r.success()
            ? new AppendEntriesResponse(r.from(), r.to(), r.term(), false, 0, 0, 0, r.sequence()) : m);
      }
      this.ids = new ArrayList<>(net.nodes.keySet());
      this.compaction = random.nextBoolean();
    }

    void run(int steps) {
      for (int step = 0; step < steps; step++) {
        step(step, ids.get(random.nextInt(size)), random.nextInt(100));
      }
      net.checkLogMatching();
      converge();
    }

    private void step(int step, NodeId id, int action) {
      if (action < 10) {
        net.tick(id);
      } else if (action < 30) {
        net.writeReady(id);
      } else if (action < 40) {
        net.sync(id);
      } else if (action < 85) {
        net.deliverRandom(random, 0.05, 0.02);
      } else if (action < 92) {
        propose("s" + seed + "-" + proposals);
      } else if (action < 95) {
        NodeId leader = net.leader();
        if (leader != null) {
          net.core(leader).readIndex(step);
        }
      } else {
        fault(id, action);
      }
    }

    private void fault(NodeId id, int action) {
      if (action < 96 && random.nextInt(3) == 0) {
        Set<NodeId> side = new HashSet<>();
        ids.stream().filter(n -> random.nextBoolean()).forEach(side::add);
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
      } else if (action < 99 && compaction) {
        net.compact(id);
      } else if (random.nextInt(4) == 0 && net.leader() != null) {
        net.core(net.leader()).transferLeadership(ids.get(random.nextInt(size)));
      }
    }

    private boolean propose(String text) {
      NodeId leader = net.leader();
      if (leader == null) {
        return false;
      }
      try {
        net.core(leader).propose(Bytes.ofUtf8(text));
        proposals++;
        return true;
      } catch (NotLeaderException e) {
        return false; // a leadership transfer is running
      }
    }

    /** Every node's term, vote, stored log and applied entries. */
    String fingerprint() {
      StringBuilder out = new StringBuilder();
      net.nodes.forEach((id, node) -> out.append(id).append(' ').append(node.store.loadHardState()).append(' ')
          .append(node.store.entries(node.store.firstIndex(), node.store.lastIndex() + 1, Long.MAX_VALUE))
          .append(' ').append(node.applied).append('\n'));
      return out.toString();
    }

    /** Heals everything: the cluster must elect a leader that accepts a write, and converge on one log. */
    private void converge() {
      net.heal();
      down.forEach(net::restart);
      net.stabilize();
      boolean accepted = false;
      for (int i = 0; i < 300 && !accepted; i++) {
        net.elect(300);
        accepted = propose("final");
        if (!accepted) {
          net.tickAll(1);
        }
      }
      assertTrue(accepted, "seed " + seed + ": no leader accepts proposals");
      net.stabilize();
      net.tickAll(30);
      net.checkLogMatching();
      long commit = net.core(net.leader()).commitIndex();
      assertTrue(commit > 0, "seed " + seed + ": nothing committed");
      for (NodeId n : ids) {
        assertEquals(commit, net.core(n).commitIndex(), "seed " + seed + ": " + n + " did not converge");
      }
    }
  }
}
