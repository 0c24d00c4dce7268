package dev.pontoon.raft.storage.rocksdb;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether a directory's filesystem accepts files opened for direct I/O ({@code O_DIRECT}), which
 * RocksDB then uses to write its table files. Some filesystems refuse it (tmpfs on older kernels,
 * some FUSE and network filesystems); RocksDB would then fail its first memtable flush, so the
 * store asks first.
 */
final class DirectIo {

  private DirectIo() {}

  /** Opens, then deletes, a file of its own in {@code directory} with {@code O_DIRECT}. */
  static boolean supported(Path directory) {
    Path probe = directory.resolve(".direct-io-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          ExtendedOpenOption.DIRECT)) {
        return true;
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
