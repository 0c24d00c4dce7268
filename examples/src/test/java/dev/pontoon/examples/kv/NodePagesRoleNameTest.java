package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import org.junit.jupiter.api.Test;

/** The {@code role} names of {@code GET /status}, which tools and the cluster page read. */
class NodePagesRoleNameTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final ClusterConfig VOTER = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final ClusterConfig ABSENT = ClusterConfig.ofVoters("n2", "n3");

  @Test
  void aVoterIsNamedByItsRoleWithPreVoteCountedAsCandidate() {
    assertEquals("leader", NodePages.roleName(Role.LEADER, VOTER, N1));
    assertEquals("follower", NodePages.roleName(Role.FOLLOWER, VOTER, N1));
    assertEquals("candidate", NodePages.roleName(Role.CANDIDATE, VOTER, N1));
    assertEquals("candidate", NodePages.roleName(Role.PRE_CANDIDATE, VOTER, N1));
  }

  @Test
  void aLiveNodeOutsideTheConfigurationIsNotAMemberUnlessItStillLeads() {
    assertEquals("not-a-member", NodePages.roleName(Role.FOLLOWER, ABSENT, N1));
    assertEquals("not-a-member", NodePages.roleName(Role.FOLLOWER, null, N1));
    assertEquals("leader", NodePages.roleName(Role.LEADER, ABSENT, N1), "a leader that removed itself leads until it steps down");
  }

  @Test
  void aStoppedNodeIsStoppedWhateverTheConfigurationItLastKnew() {
    assertEquals("stopped", NodePages.roleName(Role.STOPPED, VOTER, N1));
    assertEquals("stopped", NodePages.roleName(Role.STOPPED, ABSENT, N1));
    assertEquals("stopped", NodePages.roleName(Role.STOPPED, null, N1));
  }
}
