package dev.pontoon.benchmarks;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the Raft core alone: three cores wired in memory, no I/O (each Ready is
 * "persisted" into an in-memory list and advanced at once), messages delivered in FIFO order.
 * One operation is one proposal; with {@code outstanding} proposals allowed in flight, the
 * score is proposals committed per second once the pipeline is full.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CoreThroughput -f 1 -wi 2 -i 3 -w 2s -r 2s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CoreThroughputBenchmark {

  /** Proposals allowed in flight before the proposer waits for commits. */
  @Param({"1", "16", "128"})
  public int outstanding;

  private final Map<NodeId, RaftCore> cores = new LinkedHashMap<>();
  private final Map<NodeId, MemoryLog> logs = new LinkedHashMap<>();
  private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
  private RaftCore leader;
  private final Bytes command = Bytes.wrap(new byte[64]);
  private long proposed;
  private long committed;

  @Setup(Level.Trial)
  public void setUp() {
    ClusterConfig config = ClusterConfig.ofVoters("n1", "n2", "n3");
    RaftConfig raftConfig = RaftConfig.defaults();
    for (NodeId id : config.voters()) {
      MemoryLog log = new MemoryLog();
      logs.put(id, log);
      cores.put(id, new RaftCore(id, config, raftConfig, log, HardState.INITIAL, 0, new SplittableRandom(id.hashCode())));
    }
    leader = cores.get(NodeId.of("n1"));
    leader.campaign();
    pump();
    if (leader.role() != Role.LEADER) {
      throw new IllegalStateException("n1 did not become leader: " + leader.status());
    }
  }

  /** Proposes one command; waits (pumping the network) while {@code outstanding} are uncommitted. */
  @Benchmark
  public long propose() {
    leader.propose(command);
    proposed++;
    while (proposed - committed >= outstanding) {
      pump();
    }
    return committed;
  }

  /** Carries out every Ready and delivers every message until the cluster is idle. */
  private void pump() {
    boolean busy = true;
    while (busy) {
      busy = false;
      for (Map.Entry<NodeId, RaftCore> e : cores.entrySet()) {
        RaftCore core = e.getValue();
        if (!core.hasReady()) {
          continue;
        }
        busy = true;
        Ready ready = core.ready();
        MemoryLog log = logs.get(e.getKey());
        log.append(ready.entriesToAppend());
        inFlight.addAll(ready.sendNow());
        inFlight.addAll(ready.sendAfterSync());
        if (core == leader) {
          for (LogEntry entry : ready.committedEntries()) {
            if (entry.kind() == EntryKind.COMMAND) {
              committed++;
            }
          }
        }
        core.advance(ready);
        if (!ready.committedEntries().isEmpty()) {
          // Applied at once: free the core's applying budget, or it stops handing entries out.
          core.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
        }
        log.compactTo(core.commitIndex() - 10_000);
      }
      RaftMessage m;
      while ((m = inFlight.poll()) != null) {
        busy = true;
        cores.get(m.to()).step(m);
      }
    }
  }

  /** A minimal in-memory log with prefix compaction, so that long runs do not grow without bound. */
  static final class MemoryLog implements LogReader {
    private ArrayList<LogEntry> entries = new ArrayList<>();
    private long firstIndex = 1;
    private long prefixTerm;

    void append(List<LogEntry> batch) {
      if (batch.isEmpty()) {
        return;
      }
      long from = batch.get(0).index();
      int keep = (int) (from - firstIndex);
      if (keep < entries.size()) {
        entries.subList(keep, entries.size()).clear();
      }
      entries.addAll(batch);
    }

    void compactTo(long index) {
      int drop = (int) (index - firstIndex + 1);
      if (drop < 100_000) {
        return; // compact in large steps only
      }
      prefixTerm = entries.get(drop - 1).term();
      entries = new ArrayList<>(entries.subList(drop, entries.size()));
      firstIndex = index + 1;
    }

    @Override
    public long firstIndex() {
      return firstIndex;
    }

    @Override
    public long lastIndex() {
      return firstIndex + entries.size() - 1;
    }

    @Override
    public long term(long index) {
      if (index < firstIndex - 1) {
        throw new LogCompactedException(index, firstIndex);
      }
      return index == firstIndex - 1 ? prefixTerm : entries.get((int) (index - firstIndex)).term();
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
      if (fromIndex < firstIndex) {
        throw new LogCompactedException(fromIndex, firstIndex);
      }
      List<LogEntry> out = new ArrayList<>();
      long bytes = 0;
      for (long i = fromIndex; i < toIndex; i++) {
        LogEntry e = entries.get((int) (i - firstIndex));
        bytes += e.sizeInBytes();
        if (!out.isEmpty() && bytes > maxBytes) {
          break;
        }
        out.add(e);
      }
      return out;
    }
  }
}
