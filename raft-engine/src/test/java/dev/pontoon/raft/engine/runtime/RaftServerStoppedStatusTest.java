package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftNode.status()} of a node that has stopped: a health check or a client router that
 * polls it must not take a closed or failed leader for a live one.
 */
class RaftServerStoppedStatusTest {

  @Test
  void aClosedLeaderReportsStoppedWithNoLeaderAndNoFollowers() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      leader.submit(Bytes.ofUtf8("a=1")).join();
      RaftNodeStatus live = leader.status();
      assertEquals(Role.LEADER, live.role(), "premise: the node leads before the close");
      assertEquals(2, live.followers().size(), "premise: a live leader reports its followers");

      leader.close();

      RaftNodeStatus stopped = leader.status();
      assertEquals(Role.STOPPED, stopped.role());
      assertEquals(Optional.empty(), stopped.leaderId(), "a stopped node names no leader, itself least of all");
      assertEquals(Map.of(), stopped.followers(), "nor replication progress it no longer drives");
      assertEquals(live.term(), stopped.term(), "the last term is kept, for diagnosis");
      assertTrue(stopped.commitIndex() >= live.commitIndex(), "so is the commit index");
      assertEquals(live.config(), stopped.config());
    }
  }

  @Test
  void aNodeStoppedByAFatalFailureReportsStopped() {
    RaftServer node = TestCluster.singleNode("s9", RecordingStateMachine.throwingOn("boom",
        new IllegalStateException("state machine bug")));
    try {
      node.submit(Bytes.ofUtf8("a=1")).join();
      assertEquals(Role.LEADER, node.status().role(), "premise: the single node leads");

      node.submit(Bytes.ofUtf8("boom"));

      await().atMost(20, TimeUnit.SECONDS).until(() -> node.whenStopped().isDone());
      assertEquals(Role.STOPPED, node.status().role());
      assertEquals(Optional.empty(), node.status().leaderId());
    } finally {
      node.close();
    }
  }
}
