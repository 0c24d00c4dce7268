package dev.pontoon.benchmarks;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Durable appends of 128-byte entries in batches of 1, 16 and 128, each batch followed by a sync:
 * {@link RocksDbLogStore} and {@link SegmentLogStore} ({@code append} + {@code sync}) side by side
 * with a plain {@link FileChannel} append of the same bytes to a growing file followed by
 * {@code force(false)}.
 *
 * <p>Read the {@code entries} rows (entries made durable per second); the primary score counts
 * batches. Run: {@code java -jar benchmarks/target/benchmarks.jar LogStoreAppend -f 1 -wi 2 -i 3
 * -w 2s -r 2s}. Temporary directories go under {@code java.io.tmpdir} and are deleted after the
 * trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class LogStoreAppendBenchmark {
  private static final int PAYLOAD_BYTES = 128;

  @Param({"1", "16", "128"})
  public int batch;

  private Path dir;
  private RocksDbLogStore store;
  private SegmentLogStore segments;
  private FileChannel channel;
  private ByteBuffer buffer;
  private Bytes payload;
  private long nextIndex = 1;

  /** Counts entries made durable, reported next to the batch rate. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Durable {
    public long entries;
  }

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("pontoon-logstore-bench");
    store = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir.resolve("rocksdb"), ClusterId.of("bench"), NodeId.of("n1")));
    segments = SegmentLogStore.open(SegmentLogStoreConfig.of(dir.resolve("segments"), ClusterId.of("bench"),
        NodeId.of("n1")));
    channel = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    buffer = ByteBuffer.allocateDirect(batch * (PAYLOAD_BYTES + 20));
    byte[] bytes = new byte[PAYLOAD_BYTES];
    new SplittableRandom(1).nextBytes(bytes);
    payload = Bytes.wrap(bytes);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    segments.close();
    channel.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(LogStoreAppendBenchmark::delete);
    }
  }

  /** One batch through the RocksDB log store, made durable. */
  @Benchmark
  public void rocksDbAppendAndSync(Durable durable) {
    store.append(nextBatch());
    store.sync();
    durable.entries += batch;
  }

  /** One batch through the segment-file log store, made durable. */
  @Benchmark
  public void segmentAppendAndSync(Durable durable) {
    segments.append(nextBatch());
    segments.sync();
    durable.entries += batch;
  }

  /** The same batch as plain records (index, term, length, payload) on a file, then fdatasync. */
  @Benchmark
  public void fileChannelAppendAndForce(Durable durable) throws IOException {
    buffer.clear();
    for (int i = 0; i < batch; i++) {
      buffer.putLong(nextIndex++).putLong(1).putInt(PAYLOAD_BYTES);
      buffer.put(payload.asReadOnlyByteBuffer());
    }
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    channel.force(false);
    durable.entries += batch;
  }

  private List<LogEntry> nextBatch() {
    List<LogEntry> entries = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      entries.add(LogEntry.command(nextIndex++, 1, payload));
    }
    return entries;
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
