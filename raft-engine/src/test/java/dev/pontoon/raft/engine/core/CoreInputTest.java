package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RequestVote;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Construction, bootstrap, bad input and the single-chunk InstallSnapshot path. */
class CoreInputTest {

  @Test
  void startsAsFollowerInTheRecoveredTermWithItsVote() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(4, N2, 1, 4));

    assertEquals(new CoreStatus(N1, Role.FOLLOWER, 4, N2, null, 0, 2, 4, Fixtures.cluster(3), java.util.Map.of()),
        c.core.status());
    assertFalse(c.core.hasReady());
  }

  /** Entries at or below appliedIndex are not handed out again after a restart. */
  @Test
  void appliedEntriesAreNotHandedOutAgain() {
    InMemoryLogStore store = Fixtures.store(2, null, 1, 1, 2);
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 2,
        new SplittableRandom(1));
    core.step(new AppendEntries(N2, N1, 2, 3, 2, List.of(), 3, 1));

    assertEquals(List.of(Fixtures.entries(1, 1, 2).get(2)), core.ready().committedEntries());
  }

  /** A node outside the configuration (started to join) is built, and waits to be added: it never campaigns. */
  @Test
  void aNodeOutsideTheConfigurationNeverCampaigns() {
    RaftCore core = Fixtures.core(NodeId.of("n9"), 3, Fixtures.plain());
    for (int i = 0; i < 100; i++) {
      core.tick();
    }
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals(0, core.term());
    assertTrue(core.ready().sendNow().isEmpty());
  }

  @Test
  void proposeOnAFollowerThrowsAndAppendsNothing() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1);

    NotLeaderException e = assertThrows(NotLeaderException.class, () -> c.core.propose(cmd("x")));

    assertEquals(N1, e.local());
    assertTrue(e.leaderHint().isEmpty());
    assertEquals(0, c.core.status().lastIndex());
  }

  @Test
  void proposalsGetConsecutiveIndexesInTheLeadersTerm() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);

    assertEquals(new Proposal(2, 2), c.core.propose(cmd("a")));
    assertEquals(new Proposal(3, 2), c.core.propose(cmd("b")));
    assertEquals(List.of(LogEntry.command(2, 2, cmd("a")), LogEntry.command(3, 2, cmd("b"))),
        c.persist().entriesToAppend());
  }

  /** A stranger's messages are not dropped (thesis §4.1, see MembershipChangeTest); these are. */
  @Test
  void messagesForAnotherNodeOrFromItselfAreIgnored() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1);

    c.step(new RequestVote(N2, NodeId.of("n3"), 5, 0, 0, false, false));
    c.step(new RequestVote(N1, N1, 5, 0, 0, false, false));

    assertEquals(1, c.core.term());
    assertFalse(c.core.hasReady());
    assertThrows(NullPointerException.class, () -> c.core.step(null));
  }

  /**
   * Bootstrap: the node every voter voted for in term 1, with the bootstrap entry (1, 1) in every
   * log, leads at once without a no-op; the first proposal is index 2.
   */
  @Test
  void bootstrapAsLeaderRequiresTheBootstrapEntry() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.bootstrapStore(3, N1));

    c.core.bootstrapAsLeader();

    assertEquals(Role.LEADER, c.core.role());
    assertEquals(1, c.core.term());
    assertEquals(new Proposal(2, 1), c.core.propose(cmd("first")));
    Ready ready = c.persist();
    assertNull(ready.hardState());
    assertEquals(List.of(LogEntry.command(2, 1, cmd("first"))), ready.entriesToAppend());
    assertEquals(List.of(RaftCore.bootstrapEntry(Fixtures.cluster(3)), LogEntry.command(2, 1, cmd("first"))),
        c.storedLog());
  }

  /**
   * The state the bootstrap used to need, term 1 with a vote for self and an empty log, is also
   * what a bootstrap leader that crashed before its first sync restarts with: leading term 1 again
   * from it could write a different entry where followers already hold one. It is refused.
   */
  @Test
  void bootstrapAsLeaderRefusesTermOneVoteForSelfAndAnEmptyLog() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(1, N1));

    IllegalStateException e = assertThrows(IllegalStateException.class, c.core::bootstrapAsLeader);

    assertTrue(e.getMessage().contains("bootstrap entry"), e.getMessage());
    assertEquals(Role.FOLLOWER, c.core.role());
    assertFalse(c.core.hasReady());
  }

  @Test
  void bootstrapAsLeaderServesReadsAtIndexZeroAtOnce() {
    CoreUnderTest c = new CoreUnderTest(N1, 1, Fixtures.plain(), Fixtures.bootstrapStore(1, N1));
    c.core.bootstrapAsLeader();

    c.core.readIndex(3);

    assertEquals(List.of(new ReadState(3, 0)), c.persist().readsReady());
  }

  /** Anything but term 1, a vote for self, exactly the bootstrap entry of this configuration, and a voter not yet leader is refused. */
  @Test
  void bootstrapAsLeaderIsRefusedUnlessTermOneVotedForSelfAndOnlyTheBootstrapEntry() {
    LogEntry entry = RaftCore.bootstrapEntry(Fixtures.cluster(3));
    List<InMemoryLogStore> stores = List.of(
        storeOf(new HardState(2, N1), entry),
        storeOf(new HardState(1, N2), entry),
        storeOf(new HardState(1, null), entry),
        storeOf(new HardState(1, N1), entry, LogEntry.command(2, 1, cmd("x"))),
        storeOf(new HardState(1, N1), LogEntry.command(1, 1, entry.payload())),
        storeOf(new HardState(1, N1), RaftCore.bootstrapEntry(Fixtures.cluster(5))),
        Fixtures.store(1, N1, 1));
    for (InMemoryLogStore store : stores) {
      CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), store);
      assertThrows(IllegalStateException.class, c.core::bootstrapAsLeader);
      assertEquals(Role.FOLLOWER, c.core.role());
    }
    CoreUnderTest learner = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.bootstrapStore(3, N1));
    RaftCore core = new RaftCore(N1, new ClusterConfig(java.util.Set.of(N2), java.util.Set.of(N1)), Fixtures.plain(),
        learner.store, learner.store.loadHardState(), 0, new SplittableRandom(1));
    assertThrows(IllegalStateException.class, core::bootstrapAsLeader);
    CoreUnderTest leader = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.bootstrapStore(3, N1));
    leader.core.bootstrapAsLeader();
    assertThrows(IllegalStateException.class, leader.core::bootstrapAsLeader);
  }

  /**
   * Every member holds the identical entry (1, 1) from its first start, so the bootstrap leader's
   * first append after it matches on every follower (Log Matching, §5.3) and commits at index 2.
   */
  @Test
  void bootstrappedClusterCommitsItsFirstProposalAfterTheBootstrapEntry() {
    Map<NodeId, InMemoryLogStore> stores = Map.of(N1, Fixtures.bootstrapStore(3, N1), N2,
        Fixtures.bootstrapStore(3, N1), Fixtures.N3, Fixtures.bootstrapStore(3, N1));
    Network net = new Network(Fixtures.cluster(3), Fixtures.plain(), 3, stores);
    net.core(N1).bootstrapAsLeader();

    net.core(N1).propose(cmd("first"));
    net.stabilize();
    net.tickAll(Fixtures.plain().heartbeatTicks()); // the next heartbeat carries the leader's commit index

    LogEntry entry = RaftCore.bootstrapEntry(Fixtures.cluster(3));
    for (NodeId id : List.of(N1, N2, Fixtures.N3)) {
      assertEquals(2, net.core(id).commitIndex(), id.toString());
      assertEquals(List.of(entry, LogEntry.command(2, 1, cmd("first"))), net.node(id).applied, id.toString());
    }
    net.checkLogMatching();
  }

  private static InMemoryLogStore storeOf(HardState hardState, LogEntry... entries) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(entries));
    store.saveHardState(hardState);
    store.sync();
    return store;
  }

  /** Figure 13: a whole snapshot beyond the commit index replaces the log and is handed out to install. */
  @Test
  void followerInstallsASnapshotBeyondItsCommitIndex() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2, 1, 1);
    ClusterConfig config = Fixtures.cluster(3);

    c.step(new InstallSnapshot(N2, N1, 2, 10, 2, config, 0, Bytes.ofUtf8("state"), true));

    Ready ready = c.core.ready();
    assertEquals(new Snapshot(new SnapshotMeta(10, 2, config), Bytes.ofUtf8("state")), ready.snapshotToInstall());
    assertTrue(ready.mustSync());
    assertEquals(List.of(new InstallSnapshotResponse(N1, N2, 2, 10, 5, true)), ready.sendAfterSync());
    assertEquals(10, c.core.commitIndex());
    assertEquals(10, c.core.status().lastIndex());
    c.store.truncatePrefix(10, 2);
    c.core.advance(ready);
    c.core.checkInvariants();

    c.step(new AppendEntries(N2, N1, 2, 10, 2, List.of(LogEntry.noOp(11, 2)), 11, 2));
    assertEquals(List.of(LogEntry.noOp(11, 2)), c.persist().committedEntries());
  }

  /**
   * The core installs only whole snapshots: a piece of a streamed one (the runtime stores its
   * bytes) installs nothing and is not answered by the core, but shows the leader is alive.
   */
  @Test
  void snapshotPieceInstallsNothingAndOnlyKeepsTheLeaderAlive() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2, 1);

    c.step(new InstallSnapshot(N2, N1, 2, 10, 2, Fixtures.cluster(3), 0, Bytes.ofUtf8("part"), false));

    Ready ready = c.persist();
    assertNull(ready.snapshotToInstall());
    assertEquals(List.of(), ready.sendAfterSync());
    assertEquals(1, c.core.status().lastIndex());
    assertEquals(N2, c.core.status().leader());
  }

  @Test
  void hardStateIsHandedOutOnlyWhenItChanges() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1);
    c.core.campaign();
    assertEquals(new HardState(2, N1), c.persist().hardState());
    c.core.tick();
    assertNull(c.core.ready().hardState());
  }

  /** Role changes follow the paper's state diagram: a leader never becomes (pre-)candidate directly. */
  @Test
  void illegalRoleTransitionsThrow() {
    CoreUnderTest leader = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    assertThrows(IllegalStateException.class, leader.core::becomeCandidate);
    assertThrows(IllegalStateException.class, leader.core::becomePreCandidate);
    assertThrows(IllegalStateException.class, () -> leader.core.becomeLeader(true));
    assertEquals(Role.LEADER, leader.core.role());

    CoreUnderTest follower = CoreUnderTest.follower(3, 4);
    assertThrows(IllegalStateException.class, () -> follower.core.becomeLeader(true));
    assertThrows(IllegalStateException.class, () -> follower.core.becomeFollower(3, null));
    assertEquals(4, follower.core.term());
  }

  @Test
  void nullArgumentsAreRejected() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    assertThrows(NullPointerException.class, () -> c.core.propose(null));
    assertThrows(NullPointerException.class, () -> c.core.transferLeadership(null));
    assertThrows(NullPointerException.class, () -> c.core.advance(null));
    assertEquals(1, c.core.status().lastIndex());
  }
}
