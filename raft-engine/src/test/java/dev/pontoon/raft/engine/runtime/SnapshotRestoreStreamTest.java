package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.SnapshotStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.pontoon.raft.storage.ChecksummedInputStream;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The stream a state machine restores from belongs to the runtime: a state machine may close it
 * when done (the usual {@code try (DataInputStream in = ...)}), as nothing in
 * {@code StateMachine.restoreSnapshot}'s contract forbids, even before its end (it read what it
 * needs; the runtime reads the rest so that the stream checks the checksum), and the restore
 * must still succeed.
 */
class SnapshotRestoreStreamTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final SnapshotMeta META = new SnapshotMeta(10, 2, CONFIG);

  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private volatile long restoredValue = -1;

  /**
   * Reads the one long it needs, inside try-with-resources: closes the stream it was given before
   * its end (the snapshot ends with bytes it does not need).
   */
  private final StateMachine closingStateMachine = new StateMachine() {
    @Override
    public Bytes apply(long index, Bytes command) {
      return Bytes.EMPTY;
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.EMPTY;
    }

    @Override
    public void restoreSnapshot(InputStream snapshot) throws IOException {
      try (DataInputStream in = new DataInputStream(snapshot)) {
        restoredValue = in.readLong();
      }
    }
  };

  private final ApplyWorker.Listener listener = new ApplyWorker.Listener() {
    @Override
    public void applied(LogEntry entry, Bytes result) {}

    @Override
    public void restored(Snapshot snapshot) {}

    @Override
    public void appliedThrough(long index) {}

    @Override
    public boolean readLeft(PendingRead read) {
      return true;
    }
  };

  /**
   * A store whose streams are built as {@code FileSnapshotStore}'s are: a checksummed stream over
   * a buffered one, so that once closed, a read that still needs bytes throws "Stream closed".
   */
  private static SnapshotStore fileLikeStore() {
    byte[] data = {0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4, 5, 6, 7, 8};
    InMemorySnapshotStore inner = new InMemorySnapshotStore();
    inner.save(new Snapshot(META, Bytes.wrap(data)));
    StoredSnapshot stored = inner.newest().orElseThrow();
    return new SnapshotStore() {
      @Override
      public SnapshotSink create(SnapshotMeta meta) {
        return inner.create(meta);
      }

      @Override
      public Optional<StoredSnapshot> newest() {
        return Optional.of(new ReadAs(stored, () -> new ChecksummedInputStream(
            new BufferedInputStream(new ByteArrayInputStream(data)), data.length, stored.checksum(), "snapshot at 10")));
      }
    };
  }

  @Test
  void applyWorkerRestoresFromAStateMachineThatClosesTheSnapshotStream() {
    ApplyWorker worker = new ApplyWorker(NodeScheduler.threads(), "pontoon-t-apply", closingStateMachine,
        fileLikeStore(), new NodeMetrics(new SimpleMeterRegistry(), "g", SELF, null), 0, 0, CONFIG, listener, null,
        ApplyPlacement.EVENT_LOOP, fatal::add);
    worker.start();

    worker.submit(new ApplyWorker.Restore(new Snapshot(META, Bytes.EMPTY)));

    assertAll(
        () -> assertEquals(List.of(), fatal, "closing the stream it restored from must not stop the node"),
        () -> assertEquals(42, restoredValue),
        () -> assertEquals(10, worker.lastApplied()));
  }

  @Test
  void nodeRestartsFromASnapshotWithAStateMachineThatClosesTheSnapshotStream() {
    InMemoryNetwork network = new InMemoryNetwork();
    RaftServer node = RaftServer.builder().nodeId(SELF).cluster(CONFIG).transport(network.transport(SELF))
        .logStore(new InMemoryLogStore()).snapshotStore(fileLikeStore()).stateMachine(closingStateMachine).build();
    try {
      assertAll(
          () -> assertEquals(42, restoredValue),
          () -> assertEquals(10, node.status().snapshotIndex()));
    } finally {
      node.close();
    }
  }
}
