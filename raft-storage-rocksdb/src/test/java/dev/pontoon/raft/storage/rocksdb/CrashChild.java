package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.storage.LogStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process the crash tests kill: opens the store, then performs the {@link CrashWorkload} of
 * the given seed forever. Before each write it prints {@code op <n>} (so that the parent can kill
 * it at a chosen point of the stream), and after each {@code sync()} returns it prints
 * {@code synced <n> <lastIndex> <currentTerm>}: writes 1..n are durable. It exits when its standard input closes, so
 * that it never outlives the test.
 *
 * <p>Usage: {@code CrashChild <directory> <seed> <mix> <store>}
 */
final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    CrashWorkload.Mix mix = CrashWorkload.Mix.valueOf(args[2]);
    watchParent(System.in);
    PrintStream out = System.out;
    LogStore store = CrashRecoveryTest.Store.valueOf(args[3]).open(dir);
    CrashWorkload workload = new CrashWorkload(seed, mix, LogImage.of(store));
    out.println("opened");
    out.flush();
    for (long ops = 1; ; ops++) {
      CrashWorkload.Op op = workload.next();
      out.println("op " + ops);
      out.flush();
      CrashWorkload.applyTo(store, op);
      if (op instanceof CrashWorkload.Sync) {
        out.println("synced " + ops + " " + store.lastIndex() + " " + store.loadHardState().currentTerm());
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
