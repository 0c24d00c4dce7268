package dev.pontoon.benchmarks.snapshot;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.file.FileSnapshotStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Streamed snapshot transfer speed over loopback, next to the raw disk write speed measured in
 * the same run on the same directory:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.pontoon.benchmarks.snapshot.SnapshotTransferBenchmark \
 *     [MiB (256)] [runs (3)] [piece KiB (1024)] [pieces in flight (4)]</pre>
 *
 * <p>Each run starts three nodes (Netty on loopback, RocksDB logs, file snapshots) whose state
 * machine stands for a state of {@code MiB} mebibytes (written as a stream, never held in
 * memory), lets {@code n1} and {@code n2} take a snapshot and compact their logs, then starts
 * {@code n3}, which can only catch up through the streamed snapshot: the leader reads it from its
 * file and sends it in pieces (1 MiB, 4 in flight, by default: the node's defaults); {@code n3} writes, checks and fsyncs it. The
 * transfer time is the follower's {@code raft.snapshots.receive.duration} (first piece to the
 * snapshot stored). The disk figure is a sequential write of the same size with one fsync.
 * Prints one line per run and a summary:
 *
 * <pre>disk-write MB/s=... snapshot-transfer MB/s=... size MiB=... </pre>
 */
public final class SnapshotTransferBenchmark {
  private static final ClusterId CLUSTER = ClusterId.of("snapshot-bench");
  private static final int PIECE = 64 * 1024;
  private static int chunkBytes;
  private static int chunksInFlight;

  private SnapshotTransferBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    chunkBytes = (args.length > 2 ? Integer.parseInt(args[2]) : 1024) * 1024;
    chunksInFlight = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    long size = (long) mib << 20;
    Path root = Files.createTempDirectory("pontoon-snapshot-bench-");
    try {
      double diskSum = 0;
      double transferSum = 0;
      for (int run = 1; run <= runs; run++) {
        double disk = diskWriteMbPerSecond(root.resolve("disk-" + run), size);
        double transfer = transferMbPerSecond(root.resolve("run-" + run), size);
        diskSum += disk;
        transferSum += transfer;
        System.out.printf("run %d: disk-write MB/s=%.0f snapshot-transfer MB/s=%.0f size MiB=%d piece KiB=%d in-flight=%d%n",
            run, disk, transfer, mib, chunkBytes / 1024, chunksInFlight);
      }
      System.out.printf("mean: disk-write MB/s=%.0f snapshot-transfer MB/s=%.0f size MiB=%d runs=%d%n",
          diskSum / runs, transferSum / runs, mib, runs);
    } finally {
      deleteRecursively(root);
    }
  }

  /** Writes {@code size} bytes sequentially in 1 MiB writes, fsyncs once; MB/s (10^6 bytes). */
  static double diskWriteMbPerSecond(Path file, long size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    byte[] random = new byte[1 << 20];
    new SplittableRandom(1).nextBytes(random);
    buffer.put(random).flip();
    long start = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long written = 0; written < size; written += buffer.capacity()) {
        buffer.rewind();
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      channel.force(true);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Files.delete(file);
    return size / 1e6 / seconds;
  }

  /** One transfer of a {@code size}-byte snapshot to a fresh follower; MB/s (10^6 bytes). */
  static double transferMbPerSecond(Path dir, long size) throws Exception {
    ClusterConfig config = ClusterConfig.ofVoters("n1", "n2", "n3");
    Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    for (NodeId id : config.voters()) {
      addresses.put(id, new InetSocketAddress("127.0.0.1", LoopbackPorts.takeOne()));
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<RaftServer> servers = new ArrayList<>();
    try {
      servers.add(start(NodeId.of("n1"), config, addresses, dir, size, registry));
      servers.add(start(NodeId.of("n2"), config, addresses, dir, size, registry));
      for (int i = 0; i < 20; i++) {
        commitOne(servers);
      }
      while (servers.get(0).status().snapshotIndex() < 10 || servers.get(1).status().snapshotIndex() < 10) {
        TimeUnit.MILLISECONDS.sleep(20); // a benchmark's wait, not a test's synchronisation
      }
      commitOne(servers);
      RaftServer follower = start(NodeId.of("n3"), config, addresses, dir, size, registry);
      servers.add(follower);
      Timer received = registry.timer("raft.snapshots.receive.duration", "group", "default", "node", "n3");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (received.count() == 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      if (received.count() == 0) {
        throw new IllegalStateException("the snapshot did not arrive within 10 minutes");
      }
      return size / 1e6 / received.totalTime(TimeUnit.NANOSECONDS) * 1e9;
    } finally {
      servers.forEach(RaftServer::close);
    }
  }

  /** Commits one command through whichever node leads, retrying while an election settles. */
  private static void commitOne(List<RaftServer> servers) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      for (RaftServer s : servers) {
        if (s.status().role() == dev.pontoon.raft.Role.LEADER) {
          try {
            s.submit(Bytes.ofUtf8("x")).get(30, TimeUnit.SECONDS);
            return;
          } catch (Exception e) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("no commit within a minute", e);
            }
          }
        }
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static RaftServer start(NodeId id, ClusterConfig config, Map<NodeId, InetSocketAddress> addresses, Path dir,
      long size, SimpleMeterRegistry registry) {
    NettyTransportConfig.Builder transport = NettyTransportConfig.builder(id, CLUSTER).listenAddress(addresses.get(id));
    addresses.forEach((peer, address) -> {
      if (!peer.equals(id)) {
        transport.peer(peer, address);
      }
    });
    Path node = dir.resolve(id.value());
    return RaftServer.builder().nodeId(id).cluster(config).transport(new NettyTransport(transport.build()))
        .logStore(RocksDbLogStore.open(RocksDbLogStoreConfig.of(node.resolve("log"), CLUSTER, id)))
        .snapshotStore(FileSnapshotStore.open(node.resolve("snapshots"), CLUSTER, id))
        .stateMachine(new BlobStateMachine(size)).bootstrapLeader(NodeId.of("n1")).snapshotEvery(10)
        .snapshotChunkBytes(chunkBytes).snapshotChunksInFlight(chunksInFlight).meterRegistry(registry).build();
  }

  /**
   * Stands for a state of {@code size} bytes: its snapshot streams that many pseudo-random bytes
   * (64 KiB generated once, repeated), and a restore reads and discards them. Never in memory.
   */
  private static final class BlobStateMachine implements StateMachine {
    private final long size;
    private long applied;

    BlobStateMachine(long size) {
      this.size = size;
    }

    @Override
    public Bytes apply(long index, Bytes command) {
      applied++;
      return Bytes.EMPTY;
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.ofUtf8(Long.toString(applied));
    }

    @Override
    public SnapshotWriter captureSnapshot() {
      return out -> {
        byte[] piece = new byte[PIECE];
        new SplittableRandom(size).nextBytes(piece);
        for (long written = 0; written < size; written += PIECE) {
          out.write(piece, 0, (int) Math.min(PIECE, size - written));
        }
      };
    }

    @Override
    public void restoreSnapshot(InputStream snapshot) throws IOException {
      snapshot.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
