package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static dev.pontoon.raft.engine.core.MembershipFixtures.WITH_LEARNER_N4;
import static dev.pontoon.raft.engine.core.MembershipFixtures.configEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Thesis §4.1: the configuration in force is the latest in the log, from append on, rebuilt at start and from snapshots. */
class ConfigurationInForceTest {

  // ------------------------------------------------------------ §4.1: in force on append

  /** Thesis §4.1: a server uses the latest configuration in its log, committed or not. */
  @Test
  void aConfigurationTakesEffectWhenAppendedNotWhenCommitted() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);

    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));

    assertEquals(WITH_LEARNER_N4, c.core.config());
    assertEquals(1, c.core.commitIndex());
    assertEquals(2, c.core.configIndex());
    assertTrue(c.core.configChangeInFlight());
  }

  /** Truncating the conflicting suffix that held a configuration brings the one before it back (§5.3, §4.1). */
  @Test
  void aTruncatedConfigurationRevertsToThePreviousOne() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));
    c.persist();

    c.step(new AppendEntries(N3, N1, 3, 1, 1, List.of(LogEntry.command(2, 3, cmd("x"))), 1, 1));

    assertEquals(Fixtures.cluster(3), c.core.config());
    assertFalse(c.core.configChangeInFlight());
  }

  /** At start the configuration is rebuilt from the log, whatever the node was started with. */
  @Test
  void theConfigurationIsRebuiltFromTheLogAfterARestart() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));
    c.persist();

    RaftCore restarted = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), c.store, c.store.loadHardState(),
        0, new SplittableRandom(1));

    assertEquals(WITH_LEARNER_N4, restarted.config());
    assertEquals(2, restarted.configIndex());
  }

  /** A snapshot carries the configuration at its index (§7): installing one puts it in force. */
  @Test
  void anInstalledSnapshotBringsItsConfiguration() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);

    c.step(new InstallSnapshot(N2, N1, 2, 5, 2, WITH_LEARNER_N4, 0, Bytes.ofUtf8("state"), true));

    assertEquals(WITH_LEARNER_N4, c.core.config());
    c.persist();
    RaftCore restarted = new RaftCore(N1, WITH_LEARNER_N4, Fixtures.plain(), c.store, c.store.loadHardState(), 5,
        new SplittableRandom(1));
    assertEquals(WITH_LEARNER_N4, restarted.config());
  }

  /** The snapshot taken at an index records the configuration in force there, not a later one. */
  @Test
  void theConfigurationAtAnIndexIsTheLatestAtOrBeforeIt() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(LogEntry.command(2, 2, cmd("a")),
        configEntry(3, 2, WITH_LEARNER_N4)), 1, 1));

    assertEquals(Fixtures.cluster(3), c.core.configAt(2));
    assertEquals(WITH_LEARNER_N4, c.core.configAt(3));
  }

  /** A configuration that does not decode is refused before anything changes. */
  @Test
  void anUndecodableConfigurationEntryIsMalformed() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    LogEntry bad = new LogEntry(2, 2, EntryKind.CONFIGURATION, Bytes.ofUtf8("no config"));

    assertThrows(MalformedMessageException.class,
        () -> c.core.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(bad), 1, 1)));
    assertEquals(1, c.core.term());
    assertEquals(1, c.core.status().lastIndex());
  }
  /**
   * A node restarted on a log compacted behind a snapshot learns the snapshot's configuration
   * when the snapshot is announced, and acts on it: here one that no longer makes it a voter.
   */
  @Test
  void aSnapshotAnnouncedAtStartPutsItsConfigurationInForce() {
    InMemoryLogStore store = Fixtures.store(2, null, 1, 1, 2, 2, 2);
    store.truncatePrefix(5, 2);
    store.sync();
    ClusterConfig withoutN1 = ClusterConfig.ofVoters("n2", "n3", "n4");
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 5,
        new SplittableRandom(1));

    core.snapshotAvailable(new Snapshot(new SnapshotMeta(5, 2, withoutN1), Bytes.ofUtf8("state")));
    for (int i = 0; i < 100; i++) {
      core.tick();
    }

    assertEquals(withoutN1, core.config());
    assertEquals(Role.FOLLOWER, core.role());
    assertEquals(2, core.term(), "a node that is no voter never campaigns");
  }
}
