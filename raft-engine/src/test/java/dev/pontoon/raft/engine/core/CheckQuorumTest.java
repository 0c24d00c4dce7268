package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CheckQuorum (thesis §6.2) and the lease it gives followers against disruptive votes (§4.2.3). */
class CheckQuorumTest {

  private static RaftConfig checkQuorum() {
    return Fixtures.plain().withCheckQuorum(true);
  }

  /** A leader that hears from no quorum within an election timeout steps down, in the same term (§6.2). */
  @Test
  void isolatedLeaderStepsDown() {
    CoreUnderTest c = CoreUnderTest.leader(3, checkQuorum(), 1);
    long term = c.core.term();

    for (int i = 0; i < 10; i++) {
      c.core.tick();
    }

    assertEquals(Role.FOLLOWER, c.core.role());
    assertEquals(term, c.core.term());
  }

  /** A leader that hears from a majority (counting itself) keeps leading. */
  @Test
  void leaderHearingFromAQuorumStays() {
    CoreUnderTest c = CoreUnderTest.leader(3, checkQuorum(), 1);

    for (int i = 0; i < 100; i++) {
      c.core.tick();
      if (i % 5 == 0) {
        c.step(c.ack(N2, 1, 1));
      }
    }

    assertEquals(Role.LEADER, c.core.role());
  }

  /** On a network, the leader cut off from the rest steps down, and the rest elect a new one. */
  @Test
  void isolatedLeaderStepsDownOnANetwork() {
    Network net = new Network(3, checkQuorum().withPreVote(true), 12);
    NodeId old = net.elect(100);
    net.isolate(old);

    net.tickAll(25);

    assertEquals(Role.FOLLOWER, net.core(old).role());
    NodeId fresh = net.leader();
    assertTrue(fresh != null && !fresh.equals(old));
  }

  /**
   * The refusal a leader's lease reads count on (thesis §4.2.3, §6.4.1) lasts a minimum election
   * timeout from hearing that leader, whatever raises this node's term meanwhile: a stale reply of
   * a higher term (a pre-vote refusal, here) makes it a follower of that term with no known leader,
   * but the leader it acknowledged may still serve reads on its lease. Granting a vote then, in
   * that term or a later one, could elect a second leader that commits a write the old one's lease
   * read does not see.
   */
  @Test
  void aFollowerInLeaseRefusesVotesEvenAfterAStaleReplyRaisedItsTerm() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum(), Fixtures.store(2, null, 1));
    for (int i = 0; i < 10; i++) {
      c.core.tick(); // past the lease a fresh start assumes
    }
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(), 1, 1)); // leader n2 of term 2, heard now
    c.persist();

    c.step(new RequestVoteResponse(N3, N1, 3, false, true)); // a stale pre-vote refusal of term 3
    c.persist();
    assertEquals(3, c.core.term());

    c.step(new RequestVote(N3, N1, 3, 5, 2, false, false)); // a vote in that very term
    assertTrue(c.persist().sendAfterSync().stream().noneMatch(m -> m instanceof RequestVoteResponse r && r.voteGranted()),
        "no vote within the lease of the leader it heard");
    c.step(new RequestVote(N3, N1, 4, 5, 2, false, false)); // and none in a later term
    assertEquals(3, c.core.term());
    assertEquals(null, c.core.status().votedFor());

    for (int i = 0; i < 10; i++) {
      c.core.tick(); // the lease runs out (minimum election timeout 10)
    }
    c.persist();
    c.step(new RequestVote(N3, N1, 4, 5, 2, false, false));
    assertTrue(c.persist().sendAfterSync().stream().anyMatch(m -> m instanceof RequestVoteResponse r && r.voteGranted()),
        "after the lease, votes are granted again");
  }

  /** A follower that heard from its leader within the election timeout ignores a vote request of a higher term (§4.2.3). */
  @Test
  void followerInLeaseIgnoresVoteRequest() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum(), Fixtures.store(2, null, 1));
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(), 1, 1));
    c.persist();

    c.step(new RequestVote(N3, N1, 3, 5, 2, false, false));

    assertEquals(2, c.core.term());
    assertEquals(Ready.EMPTY, c.persist());
  }

  /** Once the lease has run out, the same request is honoured. */
  @Test
  void followerOutOfLeaseGrantsVote() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum(), Fixtures.store(2, null, 1));
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(), 1, 1));
    c.persist();
    for (int i = 0; i < 10; i++) {
      c.core.tick();
    }

    c.step(new RequestVote(N3, N1, 3, 5, 2, false, false));

    assertEquals(3, c.core.term());
    assertEquals(N3, c.core.status().votedFor());
  }

  /**
   * Lease safety (thesis §4.2.3, §6.4.1): a node cannot know when, before it crashed, it last
   * acknowledged a leader that may still hold a lease on that acknowledgement. So a started (or
   * restarted) voter behaves as if it had just heard from a leader: for one minimum election
   * timeout it ignores vote requests of a higher term and rejects pre-votes.
   */
  @Test
  void restartedVoterRefusesVotesForOneMinimumElectionTimeout() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum().withPreVote(true), Fixtures.store(2, null, 1));

    for (int i = 0; i < c.core.raftConfig.electionTimeoutMinTicks(); i++) {
      c.step(new RequestVote(N3, N1, 3, 5, 2, true, false));
      assertEquals(new Ready(null, List.of(), null, false, List.of(),
          List.of(new RequestVoteResponse(N1, N3, 2, false, true)), List.of(), List.of(), List.of()), c.persist());
      c.step(new RequestVote(N3, N1, 3, 5, 2, false, false));
      assertEquals(Ready.EMPTY, c.persist());
      assertEquals(new HardState(2, null), new HardState(c.core.term(), c.core.status().votedFor()));
      c.core.tick();
    }
  }

  /** One minimum election timeout after it started, the voter grants pre-votes and votes again. */
  @Test
  void restartedVoterGrantsVotesAfterOneMinimumElectionTimeout() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum().withPreVote(true), Fixtures.store(2, null, 1));
    for (int i = 0; i < c.core.raftConfig.electionTimeoutMinTicks(); i++) {
      c.core.tick();
    }
    c.persist();

    c.step(new RequestVote(N3, N1, 3, 5, 2, true, false));
    assertEquals(List.of(new RequestVoteResponse(N1, N3, 3, true, true)), c.persist().sendAfterSync());
    c.step(new RequestVote(N3, N1, 3, 5, 2, false, false));

    Ready ready = c.persist();
    assertEquals(new HardState(3, N3), ready.hardState());
    assertEquals(List.of(new RequestVoteResponse(N1, N3, 3, true, false)), ready.sendAfterSync());
  }

  /** A leadership transfer's campaign (TimeoutNow, thesis §3.10) is not refused by a restarted voter. */
  @Test
  void restartedVoterGrantsALeadershipTransferVoteAtOnce() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, checkQuorum().withPreVote(true), Fixtures.store(2, null, 1));

    c.step(new RequestVote(N3, N1, 3, 5, 2, false, true));

    Ready ready = c.persist();
    assertEquals(new HardState(3, N3), ready.hardState());
    assertEquals(List.of(new RequestVoteResponse(N1, N3, 3, true, false)), ready.sendAfterSync());
  }

  /** Without CheckQuorum there is no lease to protect: a restarted voter votes at once (§5.2). */
  @Test
  void restartedVoterWithoutCheckQuorumVotesAtOnce() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(2, null, 1));

    c.step(new RequestVote(N3, N1, 3, 5, 2, false, false));

    assertEquals(new HardState(3, N3), c.persist().hardState());
  }
}
