package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A single-process stand-in for a {@link RaftNode}, for the HTTP handler's unit tests: a leader
 * appends to an in-memory log and applies at once; a follower refuses. A real cluster is tested
 * in {@code KvHttpClusterTest}.
 */
final class FakeRaftNode implements RaftNode {
  final KvStateMachine machine = new KvStateMachine();
  final InMemoryLogStore log = new InMemoryLogStore();
  volatile ClusterConfig config = ClusterConfig.ofVoters("n1", "n2", "n3");
  /** What {@link #changeMembership} answers; each call's steps are recorded in {@link #changes}. */
  volatile CompletableFuture<ClusterConfig> membership = new CompletableFuture<>();
  final List<List<dev.pontoon.raft.MemberChange>> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
  volatile Role role = Role.LEADER;
  volatile NodeId leader;
  volatile boolean stalled;
  /**
   * When set, a leader's submits commit (append, apply, answer) only once it completes, counted
   * meanwhile in {@link #waitingForCommit}: a commit that takes a while, as a real one does.
   */
  volatile CompletableFuture<Void> commits;
  final java.util.concurrent.atomic.AtomicInteger waitingForCommit = new java.util.concurrent.atomic.AtomicInteger();
  /** When set, every submit and read fails with it (after the leader check), as a stopped node's would. */
  volatile RuntimeException failure;
  /** What {@link #transferLeadership} answers; each call records its target in {@link #transferTarget}. */
  volatile CompletableFuture<Void> transfer = CompletableFuture.failedFuture(new UnsupportedOperationException());
  volatile NodeId transferTarget;
  private final NodeId id;
  private long applied;

  /** Member {@code n1} of {@code n1, n2, n3}, leader. */
  FakeRaftNode() {
    this(NodeId.of("n1"));
  }

  /** Member {@code id} of {@code n1, n2, n3}, leader as far as it knows. */
  FakeRaftNode(NodeId id) {
    this.id = id;
    this.leader = id;
  }

  @Override
  public NodeId id() {
    return id;
  }

  @Override
  public synchronized CompletableFuture<Bytes> submit(Bytes command) {
    if (role != Role.LEADER) {
      return CompletableFuture.failedFuture(new NotLeaderException(id, leader));
    }
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (stalled) {
      return new CompletableFuture<>();
    }
    CompletableFuture<Void> gate = commits;
    if (gate != null) {
      waitingForCommit.incrementAndGet();
      return gate.thenApply(done -> commit(command));
    }
    return CompletableFuture.completedFuture(commit(command));
  }

  private synchronized Bytes commit(Bytes command) {
    long index = log.lastIndex() + 1;
    log.append(List.of(LogEntry.command(index, 1, command)));
    applied = index;
    return machine.apply(index, command);
  }

  @Override
  public synchronized CompletableFuture<Bytes> read(Bytes query) {
    if (role != Role.LEADER) {
      return CompletableFuture.failedFuture(new NotLeaderException(id, leader));
    }
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (stalled) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(machine.query(query));
  }

  @Override
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    transferTarget = target;
    return transfer;
  }

  @Override
  public synchronized RaftNodeStatus status() {
    Map<NodeId, RaftNodeStatus.FollowerProgress> followers = new java.util.HashMap<>();
    if (role == Role.LEADER) {
      // The first other member is up to date; the second has nothing yet.
      List<NodeId> others = config.members().stream().filter(m -> !m.equals(id)).toList();
      followers.put(others.get(0), new RaftNodeStatus.FollowerProgress(applied, applied + 1, 0));
      if (others.size() > 1) {
        followers.put(others.get(1), new RaftNodeStatus.FollowerProgress(0, 1, applied));
      }
    }
    return new RaftNodeStatus(id, role, 1, leader, applied, applied, 0, log.lastIndex(), config, followers);
  }

  @Override
  public void close() {}

  @Override
  public CompletableFuture<dev.pontoon.raft.log.ClusterConfig> changeMembership(
      java.util.List<dev.pontoon.raft.MemberChange> steps) {
    changes.add(List.copyOf(steps));
    return membership;
  }
}
