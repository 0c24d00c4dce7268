package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A leader commits an entry of its term only once a majority of its configuration holds it durably. */
class CommitOnDurableMajorityTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final NodeId N5 = NodeId.of("n5");
  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");

  /** A leader's log: entry 1 of term 1, entries 2 and 3 of term 2. */
  private static InMemoryLogStore log() {
    InMemoryLogStore log = new InMemoryLogStore();
    log.append(List.of(LogEntry.command(1, 1, Bytes.ofUtf8("a")), LogEntry.command(2, 2, Bytes.ofUtf8("b")),
        LogEntry.command(3, 2, Bytes.ofUtf8("c"))));
    return log;
  }

  /** Nodes in {@code holding} hold every entry durably; the others none. */
  private static Function<NodeId, CommitOnDurableMajority.DurableHolder> durableOn(NodeId... holding) {
    Set<NodeId> set = Set.of(holding);
    return id -> (index, term) -> set.contains(id);
  }

  /** Commits {@code commit} as leader of term 2 after a first step at commit index 1. */
  private static String commitAsLeader(long commit, ClusterConfig config,
      Function<NodeId, CommitOnDurableMajority.DurableHolder> holders) {
    CommitOnDurableMajority check = new CommitOnDurableMajority(5);
    check.afterStep(0, 1, Role.LEADER, 2, 1, config, log(), holders);
    return check.afterStep(0, 1, Role.LEADER, 2, commit, config, log(), holders);
  }

  @Test
  void aCommitHeldDurablyByAMajorityPasses() {
    assertNull(commitAsLeader(3, THREE, durableOn(N1, N3)));
  }

  @Test
  void aCommitWithoutADurableMajorityIsCaught() {
    assertNotNull(commitAsLeader(3, THREE, durableOn(N2)));
  }

  @Test
  void learnersDoNotCountTowardsTheMajority() {
    ClusterConfig withLearners = new ClusterConfig(Set.of(N1, N2, N3), Set.of(N4, N5));
    assertNotNull(commitAsLeader(3, withLearners, durableOn(N1, N4, N5)));
  }

  @Test
  void aJointConfigurationNeedsAMajorityOfEachHalf() {
    ClusterConfig joint = new ClusterConfig(Set.of(N3, N4, N5), Set.of(), Set.of(N1, N2, N3), Map.of());
    assertNotNull(commitAsLeader(3, joint, durableOn(N3, N4, N5)), "only the incoming half holds it");
    assertNull(commitAsLeader(3, joint, durableOn(N1, N3, N4)));
  }

  @Test
  void anEntryOfAnEarlierTermIsNeverCommittedByCounting() {
    CommitOnDurableMajority check = new CommitOnDurableMajority(3);
    check.afterStep(0, 1, Role.LEADER, 3, 0, THREE, log(), durableOn(N1, N2, N3));
    assertNotNull(check.afterStep(0, 1, Role.LEADER, 3, 3, THREE, log(), durableOn(N1, N2, N3)));
  }

  @Test
  void aFollowerLearningTheCommitIndexIsNotChecked() {
    CommitOnDurableMajority check = new CommitOnDurableMajority(3);
    check.afterStep(0, 1, Role.FOLLOWER, 2, 1, THREE, log(), durableOn());
    assertNull(check.afterStep(0, 1, Role.FOLLOWER, 2, 3, THREE, log(), durableOn()));
  }

  /** A step that committed with one configuration and then appended the next counts with either. */
  @Test
  void aConfigurationChangedWithinTheStepAcceptsTheOneBefore() {
    CommitOnDurableMajority check = new CommitOnDurableMajority(5);
    ClusterConfig grown = new ClusterConfig(Set.of(N1, N2, N3, N4, N5), Set.of(), Set.of(N1, N2, N3), Map.of());
    check.afterStep(0, 1, Role.LEADER, 2, 1, THREE, log(), durableOn(N1, N2));
    assertNull(check.afterStep(0, 1, Role.LEADER, 2, 3, grown, log(), durableOn(N1, N2)));
  }
}
