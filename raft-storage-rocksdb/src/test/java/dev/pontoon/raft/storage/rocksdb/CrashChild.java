package dev.pontoon.raft.storage.rocksdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process the crash tests kill: opens the store, then performs the {@link CrashWorkload} of
 * the given seed forever, printing {@code synced <ops>} after each {@code sync()} returns, where
 * {@code ops} counts the writes performed so far. It exits when its standard input closes, so
 * that it never outlives the test.
 *
 * <p>Usage: {@code CrashChild <directory> <seed>}
 */
final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    watchParent(System.in);
    PrintStream out = System.out;
    RocksDbLogStore store = RocksDbLogStore.open(CrashRecoveryTest.config(dir));
    CrashWorkload workload = new CrashWorkload(seed, LogImage.of(store));
    out.println("opened");
    out.flush();
    for (long ops = 1; ; ops++) {
      CrashWorkload.Op op = workload.next();
      CrashWorkload.applyTo(store, op);
      if (op instanceof CrashWorkload.Sync) {
        out.println("synced " + ops);
        out.flush();
      }
    }
  }

  private static void watchParent(InputStream in) {
    Thread watcher = new Thread(() -> {
      try {
        while (in.read() >= 0) {
          // Nothing is sent; the read returns -1 only when the parent is gone.
        }
      } catch (IOException ignored) {
        // The pipe broke: the parent is gone as well.
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
