package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters, all under {@code raft.} and tagged {@code group} and {@code node}. Meters
 * are thread-safe; the gauges read the node's published status, so sampling never blocks it.
 */
final class NodeMetrics {

  /** Rough size of a message's fixed fields, for the bytes counters. */
  private static final long MESSAGE_OVERHEAD_BYTES = 48;

  private final MeterRegistry registry;
  private final Tags tags;
  final Timer commitLatency;
  final Counter proposals;
  final DistributionSummary appendBatchSize;
  final Timer fsyncLatency;
  final Counter leaderChanges;
  final Counter electionsStarted;
  final Counter snapshotsTaken;
  final Counter membershipChanges;
  final Counter snapshotsSent;
  final Counter snapshotBytesSent;
  final Timer snapshotSendDuration;
  final Counter snapshotsReceived;
  final Counter snapshotBytesReceived;
  final Timer snapshotReceiveDuration;
  final Counter snapshotsInstalled;
  final Counter snapshotBytesInstalled;
  final Timer snapshotInstallDuration;
  private final Counter messagesSent;
  private final Counter messagesReceived;
  private final Counter bytesSent;
  private final Counter bytesReceived;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  final Counter leaseReads;
  final Counter readIndexReads;
  private final Map<NodeId, Gauge> peerLag = new ConcurrentHashMap<>();
  /** Everything registered, removed on close so that a node restarted in the same JVM starts afresh. */
  private final List<Meter> registered = new CopyOnWriteArrayList<>();

  NodeMetrics(MeterRegistry registry, String group, NodeId node, NodeRuntime runtime) {
    this.registry = registry;
    this.tags = Tags.of("group", group, "node", node.value());
    commitLatency = Timer.builder("raft.commit.latency").description("submit to applied on the leader")
        .publishPercentiles(0.5, 0.95, 0.99).tags(tags).register(registry);
    registered.add(commitLatency);
    proposals = counter("raft.proposals", "proposals accepted by this leader");
    appendBatchSize = keep(DistributionSummary.builder("raft.append.batch.size")
        .description("entries written per log sync").tags(tags).register(registry));
    fsyncLatency = keep(Timer.builder("raft.fsync.latency").description("duration of one LogStore.sync").tags(tags)
        .register(registry));
    leaderChanges = counter("raft.leader.changes", "times the known leader changed");
    electionsStarted = counter("raft.elections.started", "elections this node started");
    snapshotsTaken = counter("raft.snapshots.taken", "snapshots taken and saved by this node");
    membershipChanges = counter("raft.membership.changes", "membership changes this leader committed");
    snapshotsSent = counter("raft.snapshots.sent", "snapshots streamed to a follower to the end");
    snapshotBytesSent = counter("raft.snapshots.sent.bytes", "snapshot bytes sent in pieces, resent ones included");
    snapshotSendDuration = timer("raft.snapshots.send.duration", "from the first piece sent to the follower's answer");
    snapshotsReceived = counter("raft.snapshots.received", "snapshots received whole, checked and stored");
    snapshotBytesReceived = counter("raft.snapshots.received.bytes", "snapshot bytes written from accepted pieces");
    snapshotReceiveDuration = timer("raft.snapshots.receive.duration", "from the first piece to the snapshot stored");
    snapshotsInstalled = counter("raft.snapshots.installed", "snapshots restored into the state machine");
    snapshotBytesInstalled = counter("raft.snapshots.installed.bytes", "bytes of the snapshots restored");
    snapshotInstallDuration = timer("raft.snapshots.install.duration", "duration of one state machine restore");
    leaseReads = keep(Counter.builder("raft.reads").description("linearizable reads started, by how they are confirmed")
        .tags(tags).tag("mode", "lease").register(registry));
    readIndexReads = keep(Counter.builder("raft.reads").description("linearizable reads started, by how they are confirmed")
        .tags(tags).tag("mode", "read_index").register(registry));
    messagesSent = counter("raft.messages.sent", "messages handed to the transport");
    messagesReceived = counter("raft.messages.received", "messages received from the transport");
    bytesSent = counter("raft.bytes.sent", "estimated bytes of messages sent");
    bytesReceived = counter("raft.bytes.received", "estimated bytes of messages received");
    gauge("raft.apply.lag", "commitIndex - lastApplied", runtime, r -> r.commitIndex() - r.lastApplied());
    gauge("raft.term", "currentTerm", runtime, r -> r.term());
    gauge("raft.commit.index", "commitIndex", runtime, r -> r.commitIndex());
    gauge("raft.last.applied", "lastApplied", runtime, r -> r.lastApplied());
    gauge("raft.proposals.pending", "proposals accepted and not yet answered", runtime, r -> r.pendingProposals());
  }

  void sent(RaftMessage message) {
    messagesSent.increment();
    bytesSent.increment(estimatedSize(message));
  }

  /** Counts a received message of {@code size} estimated bytes ({@link #estimatedSize}, taken on arrival). */
  void received(long size) {
    messagesReceived.increment();
    bytesReceived.increment(size);
  }

  /** Counts a refused proposal, by reason ({@code overloaded}, {@code not_leader}, {@code stopped}). */
  void rejected(String reason) {
    rejected.computeIfAbsent(reason, r -> keep(Counter.builder("raft.proposals.rejected")
        .description("proposals refused before reaching the log").tags(tags).tag("reason", r).register(registry)))
        .increment();
  }

  /** Counts an inbound message dropped unhandled, by reason ({@code overload}, {@code malformed}). */
  void dropped(String reason) {
    dropped.computeIfAbsent(reason, r -> keep(Counter.builder("raft.messages.dropped")
        .description("inbound messages dropped without being handled").tags(tags).tag("reason", r)
        .register(registry))).increment();
  }

  void recordCommit(long startNanos, long nowNanos) {
    commitLatency.record(nowNanos - startNanos, TimeUnit.NANOSECONDS);
  }

  /** Registers the replication-lag gauge of {@code peer} once; the value comes from {@code lag}. */
  void trackPeer(NodeId peer, NodeRuntime runtime) {
    peerLag.computeIfAbsent(peer, p -> keep(Gauge.builder("raft.replication.lag", runtime, r -> r.followerLag(p))
        .description("leader's last index minus the follower's match index").tags(tags).tag("peer", p.value())
        .strongReference(true).register(registry)));
  }

  /** Removes every meter tagged with this group and node, for a node that failed to start. */
  static void removeAll(MeterRegistry registry, String group, NodeId node) {
    for (Meter m : List.copyOf(registry.getMeters())) {
      Meter.Id id = m.getId();
      if (id.getName().startsWith("raft.") && group.equals(id.getTag("group")) && node.value().equals(id.getTag("node"))) {
        registry.remove(m);
      }
    }
  }

  /** Removes this node's meters from the registry. */
  void close() {
    for (Meter m : registered) {
      registry.remove(m);
    }
    registered.clear();
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    return meter;
  }

  private Timer timer(String name, String description) {
    return keep(Timer.builder(name).description(description).tags(tags).register(registry));
  }

  private Counter counter(String name, String description) {
    return keep(Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private void gauge(String name, String description, NodeRuntime runtime, ToDoubleFunction<NodeRuntime> f) {
    keep(Gauge.builder(name, runtime, f).description(description).tags(tags).strongReference(true).register(registry));
  }

  static long estimatedSize(RaftMessage message) {
    if (message instanceof AppendEntries append) {
      long size = MESSAGE_OVERHEAD_BYTES;
      for (LogEntry e : append.entries()) {
        size += e.sizeInBytes();
      }
      return size;
    }
    if (message instanceof InstallSnapshot install) {
      return MESSAGE_OVERHEAD_BYTES + install.data().size();
    }
    return MESSAGE_OVERHEAD_BYTES;
  }
}
