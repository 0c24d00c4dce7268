package dev.pontoon.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Durable directory operations for {@link LogStore} and snapshot store implementations to share.
 * On POSIX a created, renamed or deleted file's directory entry survives a power loss only once
 * the directory itself is synced (the file's own {@code fsync} does not cover it).
 *
 * <p>Both methods block for a disk sync. They set the caller's interrupt status aside and restore
 * it after: a {@link FileChannel} closes itself when its thread is interrupted, which would fail
 * the sync of a caller that merely had an interrupt pending. Thread-safe.
 */
public final class Directories {
  private Directories() {}

  /**
   * Syncs {@code directory}, so that entries created, renamed or deleted in it are durable. Where
   * the platform cannot open a directory (Windows), its renames are already durable and this
   * returns at once.
   */
  public static void sync(Path directory) throws IOException {
    boolean interrupted = Thread.interrupted();
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      if (Files.isDirectory(directory) && System.getProperty("os.name", "").startsWith("Windows")) {
        return;
      }
      throw e;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Creates {@code directory} (and missing parents) if it does not exist, and syncs its parent so
   * that the new entry survives a power loss. Does nothing for an existing directory.
   */
  public static void createDurably(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    Files.createDirectories(directory);
    Path parent = directory.toAbsolutePath().getParent();
    if (parent != null) {
      sync(parent);
    }
  }
}
