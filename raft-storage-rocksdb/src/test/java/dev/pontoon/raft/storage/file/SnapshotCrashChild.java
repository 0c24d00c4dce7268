package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The process {@link SnapshotCrashTest} kills: saves ever newer snapshots, printing
 * {@code saved <index>} after each {@code save} returns. Exits when its standard input closes.
 *
 * <p>Usage: {@code SnapshotCrashChild <directory>}
 */
final class SnapshotCrashChild {
  private SnapshotCrashChild() {}

  public static void main(String[] args) {
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Nothing is sent; -1 means the parent is gone.
        }
      } catch (IOException ignored) {
        // The parent is gone as well.
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
    try (FileSnapshotStore store = FileSnapshotStore.open(Path.of(args[0]))) {
      long index = store.latest().map(s -> s.meta().lastIncludedIndex()).orElse(0L);
      while (true) {
        index++;
        store.save(snapshot(index));
        System.out.println("saved " + index);
        System.out.flush();
      }
    }
  }

  /** The snapshot at {@code index}: its size and content derive from the index only. */
  static Snapshot snapshot(long index) {
    SplittableRandom random = new SplittableRandom(index);
    byte[] data = new byte[1 + random.nextInt(256 << 10)];
    random.nextBytes(data);
    return new Snapshot(new SnapshotMeta(index, index / 3 + 1, ClusterConfig.ofVoters("n1", "n2", "n3")), Bytes.wrap(data));
  }
}
