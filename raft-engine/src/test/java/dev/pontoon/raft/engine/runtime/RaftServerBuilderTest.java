package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.ReadMode;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every builder option is validated, with a message naming the rule and the value. */
class RaftServerBuilderTest {

  private static final StateMachine NOOP = new StateMachine() {
    @Override
    public Bytes apply(long index, Bytes command) {
      return command;
    }

    @Override
    public Bytes query(Bytes query) {
      return query;
    }
  };

  private static void assertArgument(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  private static void assertState(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalStateException.class, call).getMessage());
  }

  /** A builder with every required option, for checks of the optional ones at build time. */
  private static RaftServerBuilder complete(Consumer<RaftServerBuilder> extra) {
    RaftServerBuilder b = RaftServer.builder().nodeId("n1").cluster(ClusterConfig.ofVoters("n1", "n2", "n3"))
        .transport(new InMemoryNetwork().transport(NodeId.of("n1"))).logStore(new InMemoryLogStore())
        .stateMachine(NOOP);
    extra.accept(b);
    return b;
  }

  @Test
  void badValuesAreRejectedWithTheRuleAndTheValue() {
    assertArgument("nodeId must not be null", () -> RaftServer.builder().nodeId((NodeId) null));
    assertArgument("cluster must not be null", () -> RaftServer.builder().cluster(null));
    assertArgument("transport must not be null", () -> RaftServer.builder().transport(null));
    assertArgument("logStore must not be null", () -> RaftServer.builder().logStore(null));
    assertArgument("snapshotStore must not be null", () -> RaftServer.builder().snapshotStore(null));
    assertArgument("stateMachine must not be null", () -> RaftServer.builder().stateMachine(null));
    assertArgument("raftConfig must not be null", () -> RaftServer.builder().raftConfig(null));
    assertArgument("electionTimeoutTicks min (0) must be positive", () -> RaftServer.builder().electionTimeoutTicks(0, 5));
    assertArgument("electionTimeoutTicks max (10) must be greater than min (10)",
        () -> RaftServer.builder().electionTimeoutTicks(10, 10));
    assertArgument("heartbeatTicks (0) must be positive", () -> RaftServer.builder().heartbeatTicks(0));
    assertArgument("tickInterval (PT0S) must be positive", () -> RaftServer.builder().tickInterval(Duration.ZERO));
    assertArgument("tickInterval (PT-0.001S) must be positive",
        () -> RaftServer.builder().tickInterval(Duration.ofMillis(-1)));
    assertArgument("tickSource must not be null", () -> RaftServer.builder().tickSource(null));
    assertArgument("promotionLagEntries (-1) must not be negative", () -> RaftServer.builder().promotionLagEntries(-1));
    assertArgument("promotionTimeout (PT0S) must be positive", () -> RaftServer.builder().promotionTimeout(Duration.ZERO));
    assertArgument("promotionTimeout (null) must be positive", () -> RaftServer.builder().promotionTimeout(null));
    assertArgument("meterRegistry must not be null", () -> RaftServer.builder().meterRegistry(null));
    assertArgument("groupId must not be blank: ' '", () -> RaftServer.builder().groupId(" "));
    assertArgument("maxPendingProposals (0) must be positive", () -> RaftServer.builder().maxPendingProposals(0));
    assertArgument("maxPendingBytes (-1) must be positive", () -> RaftServer.builder().maxPendingBytes(-1));
    assertArgument("proposalTimeout (PT0S) must be positive", () -> RaftServer.builder().proposalTimeout(Duration.ZERO));
    assertArgument("proposalLinger (PT-0.000001S) must be in [0, 100 ms]",
        () -> RaftServer.builder().proposalLinger(Duration.ofNanos(-1000)));
    assertArgument("proposalLinger (PT0.101S) must be in [0, 100 ms]",
        () -> RaftServer.builder().proposalLinger(Duration.ofMillis(101)));
    assertArgument("proposalLinger must not be null", () -> RaftServer.builder().proposalLinger(null));
    assertArgument("readMode must not be null", () -> RaftServer.builder().readMode(null));
    assertArgument("clockDriftBound (1.0) must be in [0, 1)", () -> RaftServer.builder().clockDriftBound(1.0));
    assertArgument("clockDriftBound (-0.1) must be in [0, 1)", () -> RaftServer.builder().clockDriftBound(-0.1));
    assertArgument("bootstrapLeader must not be null", () -> RaftServer.builder().bootstrapLeader(null));
    assertArgument("snapshotEvery (0) must be positive", () -> RaftServer.builder().snapshotEvery(0));
    assertArgument("maxPendingReads (0) must be positive", () -> RaftServer.builder().maxPendingReads(0));
    assertArgument("readTimeout must not be null", () -> RaftServer.builder().readTimeout(null));
    assertArgument("readTimeout (PT-1S) must be positive", () -> RaftServer.builder().readTimeout(Duration.ofSeconds(-1)));
    assertArgument("maxInboundMessages (0) must be positive", () -> RaftServer.builder().maxInboundMessages(0));
    assertArgument("maxInboundBytes (0) must be positive", () -> RaftServer.builder().maxInboundBytes(0));
  }

  @Test
  void settingAnOptionTwiceIsRefused() {
    assertState("nodeId was already set to n1", () -> RaftServer.builder().nodeId("n1").nodeId("n2"));
    assertState("groupId was already set to g", () -> RaftServer.builder().groupId("g").groupId("h"));
    assertState("maxPendingProposals was already set to 5",
        () -> RaftServer.builder().maxPendingProposals(5).maxPendingProposals(6));
    assertState("readMode was already set to LEASE",
        () -> RaftServer.builder().readMode(ReadMode.LEASE).readMode(ReadMode.READ_INDEX));
    assertState("randomSeed was already set to 1", () -> RaftServer.builder().randomSeed(1).randomSeed(2));
    assertState("maxPendingReads was already set to 5",
        () -> RaftServer.builder().maxPendingReads(5).maxPendingReads(6));
    assertState("readTimeout was already set to PT1S",
        () -> RaftServer.builder().readTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)));
    assertState("maxInboundMessages was already set to 5",
        () -> RaftServer.builder().maxInboundMessages(5).maxInboundMessages(6));
    assertState("maxInboundBytes was already set to 5",
        () -> RaftServer.builder().maxInboundBytes(5).maxInboundBytes(6));
  }

  @Test
  void raftConfigConflictsWithTheTickOptions() {
    assertState("raftConfig cannot be combined with electionTimeoutTicks or heartbeatTicks: set the ticks on the RaftConfig",
        () -> RaftServer.builder().heartbeatTicks(1).raftConfig(RaftConfig.defaults()));
    assertState("heartbeatTicks cannot be combined with raftConfig: set it on the RaftConfig",
        () -> RaftServer.builder().raftConfig(RaftConfig.defaults()).heartbeatTicks(1));
    assertState("electionTimeoutTicks cannot be combined with raftConfig: set it on the RaftConfig",
        () -> RaftServer.builder().raftConfig(RaftConfig.defaults()).electionTimeoutTicks(10, 20));
  }

  @Test
  void missingRequiredOptionsAreNamed() {
    assertState("nodeId is required", () -> RaftServer.builder().build());
    assertState("transport is required",
        () -> RaftServer.builder().nodeId("n1").cluster(ClusterConfig.ofVoters("n1")).build());
    assertState("stateMachine is required", () -> RaftServer.builder().nodeId("n1").cluster(ClusterConfig.ofVoters("n1"))
        .transport(new InMemoryNetwork().transport(NodeId.of("n1"))).logStore(new InMemoryLogStore()).build());
  }

  @Test
  void optionsThatSpanEachOtherAreCheckedAtBuild() {
    assertState("nodeId n9 is not a member of the cluster " + ClusterConfig.ofVoters("n1", "n2")
        + " (a node that waits to be added is built with joining())",
        () -> RaftServer.builder().nodeId("n9").cluster(ClusterConfig.ofVoters("n1", "n2"))
            .transport(new InMemoryNetwork().transport(NodeId.of("n9"))).logStore(new InMemoryLogStore())
            .stateMachine(NOOP).build());
    assertState("a joining node cannot be a voter of its initial cluster " + ClusterConfig.ofVoters("n1", "n2")
        + ": it would campaign before it holds the log",
        () -> RaftServer.builder().nodeId("n1").joining().cluster(ClusterConfig.ofVoters("n1", "n2"))
            .transport(new InMemoryNetwork().transport(NodeId.of("n1"))).logStore(new InMemoryLogStore())
            .stateMachine(NOOP).build());
    assertState("joining cannot be combined with bootstrapLeader",
        () -> RaftServer.builder().nodeId("n3").joining().cluster(ClusterConfig.ofVoters("n1", "n2"))
            .bootstrapLeader(NodeId.of("n1")).transport(new InMemoryNetwork().transport(NodeId.of("n3")))
            .logStore(new InMemoryLogStore()).stateMachine(NOOP).build());
    assertState("heartbeatTicks (10) must be less than the minimum election timeout (10 ticks)",
        () -> complete(b -> b.heartbeatTicks(10)).build());
    assertState("readMode LEASE needs checkQuorum (thesis §6.4.1), but the RaftConfig has checkQuorum=false",
        () -> complete(b -> b.readMode(ReadMode.LEASE).raftConfig(RaftConfig.defaults().withCheckQuorum(false))).build());
    assertState("clockDriftBound applies only to readMode LEASE", () -> complete(b -> b.clockDriftBound(0.2)).build());
    assertState("bootstrapLeader n7 is not a voter of the cluster " + ClusterConfig.ofVoters("n1", "n2", "n3"),
        () -> complete(b -> b.bootstrapLeader(NodeId.of("n7"))).build());
    assertState("bootstrapAsLeader needs nodeId to be set first", () -> RaftServer.builder().bootstrapAsLeader());
  }

  /**
   * A durable log with the default in-memory snapshot store would lose, at a restart, the snapshot
   * that compaction or an InstallSnapshot put in place of the log's prefix: the node could never
   * start again. The builder refuses the pair and names the fix.
   */
  @Test
  void durableLogStoreNeedsAnExplicitSnapshotStore() {
    FailingLogStore durable = new FailingLogStore();
    assertState("a durable logStore needs a durable snapshotStore: after a compaction or an InstallSnapshot the log"
        + " starts after a snapshot that the default in-memory store loses at a restart; set snapshotStore(...),"
        + " e.g. a FileSnapshotStore next to the log",
        () -> RaftServer.builder().nodeId("d1").cluster(ClusterConfig.ofVoters("d1"))
            .transport(new InMemoryNetwork().transport(NodeId.of("d1"))).logStore(durable).stateMachine(NOOP).build());
    assertEquals(0, TestCluster.threadsOf("d1"), "nothing was started");
  }

  /**
   * A read timeout is counted in nanoseconds of the node's clock: one longer than that can count
   * (about 292 years) is refused by the option, with the rule and the value, not by an
   * ArithmeticException from inside {@code build()}.
   */
  @Test
  void readTimeoutLongerThanNanosecondsCanCountIsRejectedWithTheRule() {
    assertArgument("readTimeout (PT2562047788015215H30M7S) must be at most PT2562047H47M16.854775807S"
        + " (Long.MAX_VALUE ns)", () -> complete(b -> b.readTimeout(Duration.ofSeconds(Long.MAX_VALUE))).build());
  }

  /** The same rule for the other durations the node counts in nanoseconds. */
  @Test
  void proposalAndPromotionTimeoutsAndTickIntervalLongerThanNanosecondsCanCountAreRejectedWithTheRule() {
    Duration tooLong = Duration.ofSeconds(Long.MAX_VALUE);
    String limit = " must be at most PT2562047H47M16.854775807S (Long.MAX_VALUE ns)";
    assertAll(
        () -> assertArgument("proposalTimeout (" + tooLong + ")" + limit,
            () -> complete(b -> b.proposalTimeout(tooLong)).build()),
        () -> assertArgument("promotionTimeout (" + tooLong + ")" + limit,
            () -> complete(b -> b.promotionTimeout(tooLong)).build()),
        () -> assertArgument("tickInterval (" + tooLong + ")" + limit,
            () -> complete(b -> b.tickInterval(tooLong)).build()));
  }
}
