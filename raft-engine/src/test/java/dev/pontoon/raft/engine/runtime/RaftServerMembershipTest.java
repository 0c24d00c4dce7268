package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.TestCluster.failure;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.MembershipChangeException.Reason;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Membership changes through {@code RaftNode.changeMembership} on live nodes (Raft thesis chapter 4). */
class RaftServerMembershipTest {

  private static final NodeId N4 = NodeId.of("n4");

  /** A transport that records what the node told it of its configuration. */
  private static final class RecordingTransport extends ForwardingTransport {
    final List<ClusterConfig> told = new CopyOnWriteArrayList<>();

    RecordingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public void configurationChanged(ClusterConfig config) {
      told.add(config);
    }
  }

  private static ClusterConfig committed(java.util.concurrent.CompletableFuture<ClusterConfig> f) {
    return f.orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static void submit(RaftServer leader, int count) {
    for (int i = 0; i < count; i++) {
      leader.submit(Bytes.ofUtf8("c" + i)).orTimeout(20, TimeUnit.SECONDS).join();
    }
  }

  /** A voter joins as a learner, catches up, is promoted; the future answers with the committed configuration. */
  @Test
  void aNewVoterJoinsAsALearnerAndIsPromotedOnceCaughtUp() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (TestCluster cluster = new TestCluster(3, b -> b.meterRegistry(registry))) {
      RaftServer leader = cluster.awaitLeader();
      submit(leader, 20);
      RecordingTransport transport = new RecordingTransport(cluster.network.transport(N4));
      RaftServer joining = cluster.startJoining(N4, transport);
      assertNull(joining.status().config(), "knows no configuration before a leader adds it");

      ClusterConfig result = committed(leader.addVoter(N4, "n4.example:7000"));

      assertEquals(Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"), N4), result.voters());
      assertEquals("n4.example:7000", result.address(N4).orElseThrow());
      assertEquals(result, leader.status().config());
      await().atMost(20, TimeUnit.SECONDS).until(() -> result.equals(joining.status().config()));
      await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machine(N4).appliedCount() >= 20);
      assertTrue(transport.told.contains(result), "the transport learns the configuration");
      assertTrue(transport.told.stream().anyMatch(c -> c.learners().contains(N4)), "learner first");
      double changes = registry.find("raft.membership.changes").tag("node", leader.id().value()).counter().count();
      assertEquals(1.0, changes);
      submit(leader, 1);
    }
  }

  /** The transport learns the configuration a node starts with, on the node's event loop, after it started. */
  @Test
  void theTransportIsToldTheConfigurationAtStart() {
    RecordingTransport transport = new RecordingTransport(new dev.pontoon.raft.engine.memory.InMemoryNetwork()
        .transport(NodeId.of("n1")));
    ClusterConfig config = ClusterConfig.ofVoters("n1");
    try (RaftServer node = RaftServer.builder().nodeId("n1").cluster(config).transport(transport)
        .logStore(new dev.pontoon.raft.engine.memory.InMemoryLogStore()).stateMachine(new RecordingStateMachine())
        .tickInterval(TestCluster.TICK).build()) {
      await().atMost(20, TimeUnit.SECONDS).until(() -> transport.told.contains(config));
      assertEquals(List.of(config), transport.told);
    }
  }

  /** A follower removed from the cluster leaves it; the rest keeps committing. */
  @Test
  void aRemovedFollowerLeavesTheConfiguration() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      NodeId removed = cluster.followers(leader).get(0).id();

      ClusterConfig result = committed(leader.removeMember(removed));

      assertFalse(result.contains(removed));
      assertEquals(2, result.voters().size());
      submit(leader, 3);
    }
  }

  /** A leader that removes itself steps down once the change commits, and another is elected at once. */
  @Test
  void aLeaderThatRemovesItselfStepsDownAndIsReplaced() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();

      ClusterConfig result = committed(leader.removeMember(leader.id()));

      assertFalse(result.contains(leader.id()));
      await().atMost(20, TimeUnit.SECONDS).until(() -> leader.status().role() != Role.LEADER);
      await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.followers(leader).stream()
          .anyMatch(s -> s.status().role() == Role.LEADER));
      RaftServer successor = cluster.followers(leader).stream().filter(s -> s.status().role() == Role.LEADER)
          .findFirst().orElseThrow();
      assertNotEquals(leader.id(), successor.id());
      submit(successor, 2);
    }
  }

  /** Replacing a member changes two voters: through a joint configuration, left automatically. */
  @Test
  void replacingAMemberGoesThroughAJointConfigurationAndLeavesIt() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      cluster.startJoining(N4, cluster.network.transport(N4));
      NodeId replaced = cluster.followers(leader).stream().filter(s -> !s.id().equals(N4)).findFirst()
          .orElseThrow().id();

      ClusterConfig result = committed(leader.changeMembership(List.of(new MemberChange.AddVoter(N4, null),
          new MemberChange.Remove(replaced))));

      assertFalse(result.isJoint());
      assertTrue(result.voters().contains(N4));
      assertFalse(result.contains(replaced));
      assertEquals(3, result.voters().size());
      submit(leader, 2);
    }
  }

  /** Refusals: not the leader, an unknown member, an existing member, a change while one is in flight. */
  @Test
  void badChangesAreRefusedBeforeAnythingIsAppended() {
    try (TestCluster cluster = new TestCluster(3, b -> b.promotionTimeout(Duration.ofSeconds(30)))) {
      RaftServer leader = cluster.awaitLeader();
      RaftServer follower = cluster.followers(leader).get(0);
      long last = leader.status().lastLogIndex();

      assertInstanceOf(NotLeaderException.class, failure(follower.removeMember(leader.id())));
      assertEquals(Reason.UNKNOWN_MEMBER,
          ((MembershipChangeException) failure(leader.removeMember(NodeId.of("n9")))).reason());
      assertEquals(Reason.INVALID_CHANGE,
          ((MembershipChangeException) failure(leader.addLearner(follower.id(), null))).reason());
      assertEquals(Reason.INVALID_CHANGE, ((MembershipChangeException) failure(leader.changeMembership(
          List.of(new MemberChange.Remove(follower.id()), new MemberChange.Promote(follower.id()))))).reason());
      assertEquals(last, leader.status().lastLogIndex(), "nothing appended");

      // n9 never starts: its promotion waits, and a second change meanwhile is refused.
      var waiting = leader.addVoter(NodeId.of("n9"), null);
      assertEquals(Reason.CHANGE_IN_PROGRESS,
          ((MembershipChangeException) failure(leader.addLearner(NodeId.of("n8"), null))).reason());
      assertFalse(waiting.isDone());
    }
  }

  /** A node that never catches up is not promoted: NOT_CAUGHT_UP, and it stays a learner. */
  @Test
  void aNodeThatDoesNotCatchUpIsNotPromoted() {
    try (TestCluster cluster = new TestCluster(3, b -> b.promotionTimeout(Duration.ofMillis(500)))) {
      RaftServer leader = cluster.awaitLeader();
      NodeId absent = NodeId.of("n9");

      Throwable e = failure(leader.addVoter(absent, null));

      assertEquals(Reason.NOT_CAUGHT_UP, ((MembershipChangeException) e).reason());
      assertTrue(leader.status().config().learners().contains(absent));
      assertFalse(leader.status().config().voters().contains(absent));
    }
  }

  /**
   * A leader refuses changes while it transfers its leadership, but once the new voter's learner
   * phase is committed a NotLeaderException ("nothing appended, retry there") would be false: the
   * promotion waits, and goes on once the transfer is abandoned.
   */
  @Test
  void aPromotionHeldUpByALeadershipTransferGoesOnOnceTheTransferIsAbandoned() {
    // Elections, and so a transfer's lifetime, after 2-4 s: n4 catches up well within it.
    try (TestCluster cluster = new TestCluster(3, 200, b -> b.promotionTimeout(Duration.ofSeconds(60)))) {
      RaftServer leader = cluster.awaitLeader();
      submit(leader, 5);
      cluster.network.disconnect(N4);
      cluster.startJoining(N4, cluster.network.transport(N4));
      CompletableFuture<ClusterConfig> change = leader.addVoter(N4, null);
      await().atMost(20, TimeUnit.SECONDS).until(() -> leader.status().config().learners().contains(N4)
          && leader.status().commitIndex() == leader.status().lastLogIndex());
      RaftServer target = cluster.followers(leader).get(0);
      cluster.network.disconnect(target.id());
      CompletableFuture<Void> transfer = leader.transferLeadership(target.id());

      cluster.network.reconnect(N4); // caught up at once, while the transfer waits for its unreachable target

      ClusterConfig result = committed(change);
      assertTrue(result.voters().contains(N4), "promoted once the transfer was abandoned: " + result);
      assertNotNull(failure(transfer), "premise: the transfer to an unreachable target was abandoned");
      assertEquals(leader.id(), leader.status().leader());
    }
  }

  /** After a restart the configuration comes back from the log, not from the builder's initial one. */
  @Test
  void aRestartedNodeRebuildsItsConfigurationFromTheLog() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      NodeId removed = cluster.followers(leader).get(0).id();
      ClusterConfig result = committed(leader.removeMember(removed));
      NodeId kept = cluster.followers(leader).stream().map(RaftServer::id).filter(id -> !id.equals(removed))
          .findFirst().orElseThrow();
      await().atMost(20, TimeUnit.SECONDS).until(() -> result.equals(cluster.servers.get(kept).status().config()));

      cluster.stop(kept);
      RaftServer restarted = cluster.start(kept, cluster.logStores.get(kept).durableCopy(),
          cluster.snapshotStores.get(kept));

      assertEquals(result, restarted.status().config());
    }
  }
}
