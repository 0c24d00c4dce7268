package dev.pontoon.benchmarks;

import dev.pontoon.benchmarks.loadgen.InProcessCluster;
import dev.pontoon.benchmarks.loadgen.InProcessCluster.TransportKind;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commands committed per second by a 3-node cluster of {@link RaftServer}s in one JVM (in-memory
 * transport and log stores, so that the runtime and the core are measured, not the disk), with
 * at most {@code outstanding} commands in flight: each invocation submits one command after
 * waiting for a free slot, and the slot is freed when the command is applied on the leader.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar ReplicationThroughput}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class ReplicationThroughputBenchmark {

  @Param({"1", "16", "128"})
  public int outstanding;

  private InProcessCluster cluster;
  private RaftServer leader;
  private Semaphore slots;
  private final Bytes command = Bytes.wrap(new byte[64]);

  @Setup(Level.Trial)
  public void startCluster() {
    cluster = new InProcessCluster(3, TransportKind.MEMORY);
    leader = cluster.leader();
    slots = new Semaphore(outstanding);
  }

  @TearDown(Level.Trial)
  public void stopCluster() throws InterruptedException {
    // Let the commands still in flight finish before the nodes close.
    slots.tryAcquire(outstanding, 30, TimeUnit.SECONDS);
    cluster.close();
  }

  @Benchmark
  public void submit() throws InterruptedException {
    slots.acquire();
    leader.submit(command).whenComplete((result, failure) -> slots.release());
  }
}
