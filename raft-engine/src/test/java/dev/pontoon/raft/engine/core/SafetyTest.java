package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.CoreUnderTest.appends;
import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static dev.pontoon.raft.engine.core.Fixtures.N5;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Safety, Raft §5.4: the election restriction and the commit rule (Figure 8). */
class SafetyTest {

  /**
   * Figure 8: a leader never commits an entry of an earlier term by counting replicas, even when
   * a majority holds it; it commits it only indirectly, with an entry of its own term (§5.4.2).
   */
  @Test
  void entryFromEarlierTermIsNotCommittedByCounting() {
    // S1 of Figure 8 (c): log [1, 2], now leader of term 4 (its no-op sits at index 3).
    CoreUnderTest s1 = CoreUnderTest.leader(5, Fixtures.plain(), 3, 1, 2);
    assertEquals(4, s1.core.term());

    s1.step(s1.ack(N2, 2, 1));
    s1.step(s1.ack(N3, 2, 2));

    assertEquals(0, s1.core.commitIndex(), "index 2 (term 2) is on a majority but must not commit by counting");

    s1.step(s1.ack(N2, 3, 1));
    s1.step(s1.ack(N3, 3, 2));

    assertEquals(3, s1.core.commitIndex(), "the term-4 entry commits, and index 2 with it");
  }

  /** The whole Figure 8 sequence on a network: the term-2 entry replicated by S1 is never applied once S5 overwrote it. */
  @Test
  void figure8ScenarioNeverAppliesAnOverwrittenEntry() {
    // (a)-(b): S1 led term 2 and replicated index 2 to S2 only; S5 led term 3 with index 2 of term 3.
    Map<NodeId, InMemoryLogStore> stores = Map.of(
        N1, Fixtures.store(4, null, 1, 2),
        N2, Fixtures.store(4, null, 1, 2),
        N3, Fixtures.store(4, null, 1, 2),
        N4, Fixtures.store(4, null, 1),
        N5, Fixtures.store(5, null, 1, 3)); // S5 has seen term 5, so it campaigns in term 6
    Network net = new Network(Fixtures.cluster(5), Fixtures.plain(), 8, stores);
    // (c): S1 leads term 5 and gets index 2 of term 2 onto a majority, then crashes before its
    // own-term entry reaches anyone.
    net.partition(java.util.Set.of(N1), java.util.Set.of(N4, N5));
    net.dropWhere(m -> m instanceof AppendEntries ae && ae.entries().stream().anyMatch(e -> e.term() == 5));
    net.campaign(N1);
    assertEquals(Role.LEADER, net.core(N1).role());
    net.stabilize();
    assertEquals(0, net.core(N1).commitIndex(), "S1 must not commit index 2 of term 2 by counting");
    net.crash(N1);
    net.heal();
    net.dropWhere(m -> false);

    // (d): S5 is elected with votes of S2..S4 (its last term 3 beats their term 2) and overwrites index 2.
    net.campaign(N5);
    assertEquals(Role.LEADER, net.core(N5).role());
    net.core(N5).propose(cmd("s5"));
    net.stabilize();
    net.tickAll(3);

    for (NodeId id : List.of(N2, N3, N4, N5)) {
      assertTrue(net.node(id).applied.stream().noneMatch(e -> e.term() == 2), id + " applied an overwritten entry");
      assertEquals(3, net.node(id).store.term(2));
    }
  }

  /** The leader counts itself towards a majority only for entries it has persisted (durability before acknowledgement). */
  @Test
  void leaderCountsItselfOnlyAfterPersisting() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.step(c.ack(N2, 1, 1));
    c.persist();
    assertEquals(1, c.core.commitIndex());
    c.core.propose(cmd("x"));
    Ready unsynced = c.core.ready(); // handed out but not yet durable

    c.step(c.ack(N2, 2, appends(unsynced).get(0).sequence()));
    assertEquals(1, c.core.commitIndex(), "n2 alone is not a majority while n1's copy of index 2 is not durable");

    c.write(unsynced);
    c.core.advance(unsynced);
    assertEquals(2, c.core.commitIndex(), "n2 and the now durable n1 are a majority");
  }

  /** A single-voter leader commits a proposal only once its own write is durable. */
  @Test
  void singleVoterCommitsOnlyAfterAdvance() {
    CoreUnderTest c = new CoreUnderTest(N1, 1, Fixtures.plain());
    c.core.campaign();
    c.persist();
    assertEquals(1, c.core.commitIndex());

    Proposal p = c.core.propose(cmd("x"));
    Ready ready = c.core.ready();
    assertEquals(1, c.core.commitIndex());
    c.write(ready);
    c.core.advance(ready);

    assertEquals(p.index(), c.core.commitIndex());
    assertEquals(List.of(LogEntry.command(2, 1, cmd("x"))), c.persist().committedEntries());
  }

  /** A voter refuses a candidate that lacks an entry it holds, so a leader always holds every committed entry (§5.4.1). */
  @Test
  void candidateMissingCommittedEntriesCannotWin() {
    Map<NodeId, InMemoryLogStore> stores = Map.of(
        N1, Fixtures.store(2, null, 1),
        N2, Fixtures.store(2, null, 1, 2),
        N3, Fixtures.store(2, null, 1, 2));
    Network net = new Network(Fixtures.cluster(3), Fixtures.plain(), 9, stores);

    net.campaign(N1);

    assertEquals(Role.FOLLOWER, net.core(N1).role());
    assertEquals(3, net.core(N1).term());
  }

  /** A granted vote is not lost across a restart: the new core recovers it from the persisted hard state. */
  @Test
  void voteSurvivesRestart() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1);
    c.step(new dev.pontoon.raft.message.RequestVote(N2, N1, 2, 0, 0, false, false));
    c.persist();

    CoreUnderTest restarted = new CoreUnderTest(N1, 3, Fixtures.plain(), c.store.durableCopy());
    restarted.step(new dev.pontoon.raft.message.RequestVote(N3, N1, 2, 0, 0, false, false));

    assertEquals(List.of(new RequestVoteResponse(N1, N3, 2, false, false)), restarted.persist().sendAfterSync());
  }
}
