package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thesis §6.4.1: the lease runs from when a quorum's acknowledged heartbeats were sent. */
class LeaderLeaseTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final long LEASE = 1_000;

  private static AppendEntries heartbeat(NodeId to, long term, long seq) {
    return new AppendEntries(N1, to, term, 0, 0, List.of(), 0, seq);
  }

  private static AppendEntriesResponse ack(NodeId from, long term, long seq) {
    return new AppendEntriesResponse(from, N1, term, true, 0, 0, 0, seq);
  }

  @Test
  void leaseIsInvalidUntilAQuorumAcknowledges() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    lease.onSend(heartbeat(N2, 3, 1), 100);
    assertFalse(lease.isValid(3, THREE, 150));
    lease.onResponse(ack(N2, 3, 1));
    assertTrue(lease.isValid(3, THREE, 150));
  }

  /** Thesis §4.3: in a joint configuration the lease needs a majority of each half; learners never count. */
  @Test
  void aJointConfigurationNeedsAQuorumOfBothHalvesForTheLease() {
    NodeId n4 = NodeId.of("n4");
    NodeId n5 = NodeId.of("n5");
    ClusterConfig joint = new ClusterConfig(java.util.Set.of(N1, n4, n5), java.util.Set.of(NodeId.of("n6")),
        java.util.Set.of(N1, N2, N3), java.util.Map.of());
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    for (NodeId peer : List.of(N2, N3, n4, NodeId.of("n6"))) {
      lease.onSend(heartbeat(peer, 3, 1), 100);
    }
    lease.onResponse(ack(N2, 3, 1));
    lease.onResponse(ack(N3, 3, 1));
    lease.onResponse(ack(NodeId.of("n6"), 3, 1));
    assertFalse(lease.isValid(3, joint, 150), "C_old's majority and a learner alone");
    lease.onResponse(ack(n4, 3, 1));
    assertTrue(lease.isValid(3, joint, 150));

    LeaderLease newHalfOnly = new LeaderLease(N1, LEASE);
    newHalfOnly.reset(3);
    newHalfOnly.onSend(heartbeat(n4, 3, 1), 100);
    newHalfOnly.onResponse(ack(n4, 3, 1));
    assertFalse(newHalfOnly.isValid(3, joint, 150), "C_new's majority alone");
  }

  @Test
  void leaseRunsFromTheSendTimeNotTheAnswerTime() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    lease.onSend(heartbeat(N2, 3, 1), 100);
    lease.onResponse(ack(N2, 3, 1));
    assertTrue(lease.isValid(3, THREE, 100 + LEASE - 1));
    assertFalse(lease.isValid(3, THREE, 100 + LEASE));
  }

  @Test
  void answerFromAnotherTermOrUnknownSequenceExtendsNothing() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    lease.onSend(heartbeat(N2, 3, 1), 100);
    lease.onResponse(ack(N2, 4, 1));
    lease.onResponse(ack(N3, 3, 1));
    lease.onResponse(ack(N2, 3, 7));
    assertFalse(lease.isValid(3, THREE, 150));
  }

  @Test
  void resetForgetsAcknowledgements() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    lease.onSend(heartbeat(N2, 3, 1), 100);
    lease.onResponse(ack(N2, 3, 1));
    lease.reset(-1);
    assertFalse(lease.isValid(3, THREE, 150));
  }

  @Test
  void singleVoterAlwaysHoldsTheLeaseOfItsTerm() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(1);
    assertTrue(lease.isValid(1, ClusterConfig.ofVoters("n1"), 0));
  }

  /** A lease belongs to one term: checked against a later term (a step-down not yet seen), it is void. */
  @Test
  void leaseIsNeverValidForAnotherTerm() {
    LeaderLease lease = new LeaderLease(N1, LEASE);
    lease.reset(3);
    lease.onSend(heartbeat(N2, 3, 1), 100);
    lease.onResponse(ack(N2, 3, 1));
    assertTrue(lease.isValid(3, THREE, 150));
    assertFalse(lease.isValid(4, THREE, 150));
  }
}
