package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.SnapshotStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The apply worker installs a snapshot from the store, whatever the store commits meanwhile. */
class ApplyWorkerRestoreTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");

  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private final List<Long> restored = new CopyOnWriteArrayList<>();
  private byte[] state = new byte[0];

  private final StateMachine stateMachine = new StateMachine() {
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
      state = snapshot.readAllBytes();
    }
  };

  private final ApplyWorker.Listener listener = new ApplyWorker.Listener() {
    @Override
    public void applied(LogEntry entry, Bytes result) {}

    @Override
    public void restored(Snapshot snapshot) {
      restored.add(snapshot.meta().lastIncludedIndex());
    }

    @Override
    public void appliedThrough(long index) {}

    @Override
    public boolean readLeft(PendingRead read) {
      return true;
    }
  };

  /** An apply worker running its tasks on the caller's thread, at once. */
  private ApplyWorker workerOver(SnapshotStore store) {
    ApplyWorker worker = new ApplyWorker(NodeScheduler.threads(), "pontoon-t-apply", stateMachine, store,
        new NodeMetrics(new SimpleMeterRegistry(), "g", SELF, null), 0, 0, CONFIG, listener, null,
        ApplyPlacement.EVENT_LOOP, fatal::add);
    worker.start();
    return worker;
  }

  private static Snapshot snapshot(long index) {
    return new Snapshot(new SnapshotMeta(index, 2, CONFIG), Bytes.ofUtf8("state machine at " + index));
  }

  /**
   * No stream holds a snapshot between the store's {@code newest()} and its {@code open()}: a
   * newer snapshot committed there (a second one received) may prune it. The newer one is of
   * committed entries too, so the worker restores it, rather than stop the node.
   */
  @Test
  void aSnapshotPrunedBetweenItsLookupAndItsOpenIsRestoredFromTheNewest() {
    PruningSnapshotStore store = new PruningSnapshotStore(1, true);
    store.save(snapshot(10));
    store.onNextNewest(() -> store.save(snapshot(20)));
    ApplyWorker worker = workerOver(store);

    worker.submit(new ApplyWorker.Restore(new Snapshot(snapshot(10).meta(), Bytes.EMPTY)));

    assertAll(
        () -> assertEquals(List.of(), fatal),
        () -> assertEquals(20, worker.lastApplied()),
        () -> assertEquals(List.of(20L), restored),
        () -> assertArrayEquals("state machine at 20".getBytes(StandardCharsets.UTF_8), state));
  }

  /** A snapshot that cannot be read, with none newer to take its place, still stops the node. */
  @Test
  void aSnapshotThatCannotBeReadWithNoneNewerStopsTheNode() {
    SnapshotStore store = new SnapshotStore() {
      @Override
      public SnapshotSink create(SnapshotMeta meta) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Optional<StoredSnapshot> newest() {
        return Optional.of(new StoredSnapshot() {
          @Override
          public SnapshotMeta meta() {
            return snapshot(10).meta();
          }

          @Override
          public long size() {
            return 0;
          }

          @Override
          public int checksum() {
            return 0;
          }

          @Override
          public InputStream open() throws IOException {
            throw new IOException("the disk is gone");
          }
        });
      }
    };
    ApplyWorker worker = workerOver(store);

    worker.submit(new ApplyWorker.Restore(new Snapshot(snapshot(10).meta(), Bytes.EMPTY)));

    assertAll(
        () -> assertEquals(1, fatal.size()),
        () -> assertTrue(fatal.get(0).getMessage().contains("the disk is gone"), fatal.toString()),
        () -> assertEquals(0, worker.lastApplied()));
  }
}
