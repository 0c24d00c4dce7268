package dev.pontoon.benchmarks;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * AppendEntries batches from one {@link NettyTransport} to another over loopback, delivered end
 * to end: a message counts once the receiving handler has it. The sender keeps at most a window
 * of messages in flight (well below the write buffer's high water mark, so nothing is dropped),
 * which is how a Raft leader's in-flight limit behaves.
 *
 * <p>Score: AppendEntries messages per second. The {@code entries} and {@code payloadBytes}
 * counters give entries per second and payload bytes per second (divide by 2^20 for MiB/s).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TransportBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransportBenchmark {
  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId FOLLOWER = NodeId.of("n2");
  private static final ClusterId CLUSTER = ClusterId.of("transport-bench");
  private static final int PAYLOAD = 128;
  private static final long WINDOW_BYTES = 2L * 1024 * 1024;

  /** Entries per AppendEntries. */
  @Param({"1", "16", "128"})
  public int batch;

  private NettyTransport leader;
  private NettyTransport follower;
  private final LongAdder received = new LongAdder();
  private AppendEntries message;
  private long window;
  private long sent;

  /** Entries and payload bytes moved, reported per second next to the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Moved {
    public long entries;
    public long payloadBytes;

    @Setup(Level.Iteration)
    public void reset() {
      entries = 0;
      payloadBytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void connect() {
    InetSocketAddress leaderAddress = freeLoopbackAddress();
    InetSocketAddress followerAddress = freeLoopbackAddress();
    leader = new NettyTransport(config(LEADER, leaderAddress, FOLLOWER, followerAddress));
    follower = new NettyTransport(config(FOLLOWER, followerAddress, LEADER, leaderAddress));
    follower.start(m -> received.increment());
    leader.start(m -> { });
    while (!leader.isConnected(FOLLOWER)) {
      Thread.onSpinWait();
    }
    List<LogEntry> entries = new ArrayList<>();
    byte[] payload = new byte[PAYLOAD];
    for (int i = 1; i <= batch; i++) {
      entries.add(LogEntry.command(1_000_000L + i, 3, Bytes.of(payload)));
    }
    message = new AppendEntries(LEADER, FOLLOWER, 3, 1_000_000L, 3, entries, 999_999L, 1);
    window = Math.max(16, WINDOW_BYTES / ((long) batch * (PAYLOAD + 21) + 80));
  }

  private static NettyTransportConfig config(NodeId self, InetSocketAddress own, NodeId peer,
      InetSocketAddress peerAddress) {
    return NettyTransportConfig.builder(self, CLUSTER).listenAddress(own).peer(peer, peerAddress).ioThreads(1).build();
  }

  @Benchmark
  public void appendEntries(Moved moved) {
    long inFlight = sent - received.sum();
    while (inFlight >= window) {
      Thread.yield();
      inFlight = sent - received.sum() - leader.stats().dropped();
    }
    leader.send(message);
    sent++;
    moved.entries += batch;
    moved.payloadBytes += (long) batch * PAYLOAD;
  }

  @TearDown(Level.Trial)
  public void close() {
    long dropped = leader.stats().dropped();
    leader.close();
    follower.close();
    if (dropped > 0) {
      System.err.println("warning: " + dropped + " messages dropped; the score overstates delivery");
    }
  }

  private static InetSocketAddress freeLoopbackAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), LoopbackPorts.takeOne());
  }
}
