package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.benchmarks.loadgen.InProcessCluster.StoreKind;
import dev.pontoon.benchmarks.loadgen.InProcessCluster.TransportKind;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code --in-process}: an {@link InProcessCluster} of Netty-over-loopback nodes on RocksDB logs
 * (one sync per group-commit batch), written to through {@code RaftServer.submit} on the leader.
 * A write refused with {@link NotLeaderException} fails, and the next one goes to the hinted
 * leader.
 */
final class InProcessTarget implements WriteTarget {

  private static final Duration LEADER_WAIT = Duration.ofSeconds(30);

  private final InProcessCluster cluster;
  private final AtomicReference<RaftServer> leader;
  private final Bytes command;
  private final int nodes;
  private final boolean loopOnIoThread;
  private final StoreKind logStore;

  private InProcessTarget(InProcessCluster cluster, RaftServer leader, Bytes command, int nodes,
      boolean loopOnIoThread, StoreKind logStore) {
    this.logStore = logStore;
    this.cluster = cluster;
    this.leader = new AtomicReference<>(leader);
    this.command = command;
    this.nodes = nodes;
    this.loopOnIoThread = loopOnIoThread;
  }

  /**
   * Starts {@code nodes} nodes and waits until a leader committed its first entries. With
   * {@code loopOnIoThread}, each node's event loop runs on its Netty transport's one I/O thread;
   * each node keeps its log in a {@code logStore} (RocksDB or segment files) of its own.
   *
   * @throws IllegalStateException if no leader is stable within 30 s (the cluster is closed)
   */
  static InProcessTarget start(int nodes, int valueSize, boolean loopOnIoThread, StoreKind logStore)
      throws InterruptedException {
    if (!logStore.durable()) {
      throw new IllegalArgumentException("the load tool's in-process cluster keeps durable logs, not " + logStore);
    }
    InProcessCluster cluster = new InProcessCluster(nodes, TransportKind.NETTY, logStore, loopOnIoThread);
    try {
      RaftServer leader = cluster.awaitLeader(LEADER_WAIT);
      byte[] value = new byte[valueSize];
      for (int i = 0; i < valueSize; i++) {
        value[i] = (byte) ('a' + i % 26);
      }
      return new InProcessTarget(cluster, leader, Bytes.wrap(value), nodes, loopOnIoThread, logStore);
    } catch (RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  @Override
  public CompletableFuture<?> write(int client) {
    CompletableFuture<Bytes> submitted;
    try {
      submitted = leader.get().submit(command);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return submitted.whenComplete((result, failure) -> {
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof NotLeaderException notLeader) {
        notLeader.leaderHint().flatMap(cluster::server).ifPresent(leader::set);
      }
    });
  }

  @Override
  public long logSyncs() {
    return cluster.logSyncs();
  }

  @Override
  public String describe() {
    String logs = logStore == StoreKind.ROCKSDB ? "RocksDB logs" : "segment-file logs";
    return nodes + " nodes in this JVM (Netty on loopback, " + logs + " in temporary directories, one sync per"
        + " group-commit batch" + (loopOnIoThread ? ", each node's event loop on its transport's I/O thread" : "")
        + "), writes through RaftServer.submit on the leader";
  }

  @Override
  public void close() {
    cluster.close();
  }
}
