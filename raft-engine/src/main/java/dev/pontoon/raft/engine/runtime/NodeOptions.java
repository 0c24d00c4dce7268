package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link NodeRuntime} is started with, already validated by
 * {@code RaftServer.Builder}. Internal: hosts use the builder.
 *
 * @param id this node
 * @param cluster the initial configuration (used when neither snapshot nor log holds one); null
 *     for a node started to join a cluster, which knows none until a leader replicates one
 * @param transport carries messages; the node starts and closes it
 * @param logStore the log and hard state; the node closes it
 * @param snapshotStore the latest snapshot; the node closes it
 * @param stateMachine the application's state
 * @param raftConfig core timing and flow control, in ticks
 * @param tickInterval how long one tick lasts
 * @param tickSource where ticks come from
 * @param registry where meters go
 * @param groupId the {@code group} tag of every meter
 * @param maxPendingProposals most proposals accepted and not yet answered
 * @param maxPendingBytes most command bytes accepted and not yet answered
 * @param proposalTimeout how long a proposal may wait for its commit
 * @param maxPendingReads most reads accepted and not yet out of the node
 * @param readTimeout how long a read may wait for its answer
 * @param maxInboundMessages most messages from the transport queued to the event loop
 * @param maxInboundBytes most (estimated) bytes of those messages
 * @param leaseNanos for lease reads, how long a quorum's acknowledgement keeps this leader's lease;
 *     0 for ReadIndex reads
 * @param randomSeed seed of the core's random generator
 * @param bootstrapLeader on a new cluster, the node that starts as leader of term 1, or null
 * @param snapshotEvery take a snapshot and compact the log every this many applied entries; 0 never
 * @param scheduler where the node's work runs and what time it is: threads, or the simulator
 * @param promotionLagEntries a node is promoted to voter once its log is within this many entries
 *     of the leader's
 * @param promotionTimeout how long a membership change waits for nodes to catch up before it
 *     fails with {@code NOT_CAUGHT_UP}
 * @param snapshotPolicy how snapshots are streamed and how much log is kept behind them
 * @param leaderWritesOnEventLoop whether a leader writes its log on its event loop, as other
 *     roles do, instead of on the sync worker in parallel with replication
 * @param applyPlacement where committed entries are applied, reads served and snapshots
 *     captured: the apply thread, the event loop, or the loop while that is quick (adaptive)
 * @param proposalLinger how long a leader may hold new proposals after answering some, so that
 *     closed-loop clients' next writes go out together; zero never holds
 */
public record NodeOptions(NodeId id, ClusterConfig cluster, Transport transport, LogStore logStore,
    SnapshotStore snapshotStore, StateMachine stateMachine, RaftConfig raftConfig, Duration tickInterval,
    TickSource tickSource, MeterRegistry registry, String groupId, int maxPendingProposals, long maxPendingBytes,
    Duration proposalTimeout, int maxPendingReads, Duration readTimeout, int maxInboundMessages,
    long maxInboundBytes, long leaseNanos, long randomSeed, NodeId bootstrapLeader, long snapshotEvery,
    NodeScheduler scheduler, long promotionLagEntries, Duration promotionTimeout, SnapshotPolicy snapshotPolicy,
    boolean leaderWritesOnEventLoop, ApplyPlacement applyPlacement, Duration proposalLinger) {

  public NodeOptions {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(logStore, "logStore");
    Objects.requireNonNull(snapshotStore, "snapshotStore");
    Objects.requireNonNull(stateMachine, "stateMachine");
    Objects.requireNonNull(raftConfig, "raftConfig");
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(tickSource, "tickSource");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(proposalTimeout, "proposalTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(promotionTimeout, "promotionTimeout");
    Objects.requireNonNull(applyPlacement, "applyPlacement");
    Objects.requireNonNull(snapshotPolicy, "snapshotPolicy");
    Objects.requireNonNull(proposalLinger, "proposalLinger");
  }

  /** Whether reads are served from the leader's lease instead of a ReadIndex round. */
  public boolean leaseReads() {
    return leaseNanos > 0;
  }
}
