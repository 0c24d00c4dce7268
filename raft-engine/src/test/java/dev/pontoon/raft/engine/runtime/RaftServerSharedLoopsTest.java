package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.RaftServer;
import org.junit.jupiter.api.Test;

/**
 * Members in one JVM on {@link NodeScheduler#sharedLoopThreads()}: a leader's event-loop thread
 * runs its idle followers' batches itself, and replication, failover and stopping behave exactly
 * as with a thread per loop.
 */
class RaftServerSharedLoopsTest {

  private static TestCluster sharedCluster() {
    // Elections after 1-2 s: submitting threads on a shared 2-core machine must not depose the leader.
    return new TestCluster(3, 100, b -> b.scheduler(NodeScheduler.sharedLoopThreads()).applyOnEventLoop(true));
  }

  @Test
  void followersBatchesRunOnTheLeadersLoopThreadAndEveryReplicaAppliesTheSameCommands() throws Exception {
    try (TestCluster cluster = sharedCluster()) {
      RaftServer leader = RaftServerReplicationTest.submitFromThreadsAndCheckEveryReplica(cluster, 8, 500);

      String leaderLoop = "pontoon-" + leader.id().value() + "-loop";
      for (RaftServer follower : cluster.followers(leader)) {
        assertTrue(cluster.machine(follower.id()).applyThreads().contains(leaderLoop),
            follower.id() + " applied only on " + cluster.machine(follower.id()).applyThreads()
                + ", never on the leader's loop thread: the loops were not shared");
      }
    }
  }

  @Test
  void commandsAcknowledgedBeforeTheLeaderClosesAreAppliedOnTheSurvivors() throws Exception {
    try (TestCluster cluster = sharedCluster()) {
      // Closing waits for the leader's batches wherever they run, followers' threads included.
      RaftServerLeaderLossTest.stopTheLeaderMidStreamAndCheckTheSurvivors(cluster);
    }
  }
}
