package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real filesystem of a small, fixed size that a test can fill: a Linux tmpfs mounted on an
 * empty directory. Once it is full, every write that needs a new block fails with the kernel's
 * {@code ENOSPC} ("No space left on device"), as on a full disk. {@link #resize} grows it in
 * place, keeping every file, as an operator freeing space would.
 *
 * <p>Mounting needs root (or {@code CAP_SYS_ADMIN}) on Linux. Where the mount fails,
 * {@link #mount} aborts the calling test as skipped, with the reason; CI runs as root and mounts.
 * Not thread-safe; one test owns it.
 */
public final class SmallFilesystem implements AutoCloseable {
  /** The error text of {@code ENOSPC} on Linux. */
  public static final String NO_SPACE = "No space left on device";
  private final Path root;
  /** Unmounts it if the JVM ends first (a killed test fork): a tmpfs left mounted holds its memory. */
  private final Thread unmountAtExit;
  private boolean mounted = true;

  private SmallFilesystem(Path root) {
    this.root = root;
    this.unmountAtExit = new Thread(() -> {
      try {
        run(List.of("umount", "-l", root.toString()));
      } catch (IOException | InterruptedException ignored) {
        // the JVM is ending: nothing else to try
      }
    }, "small-filesystem-unmount");
    Runtime.getRuntime().addShutdownHook(unmountAtExit);
  }

  /**
   * Mounts a tmpfs of {@code bytes} (rounded up to whole pages by the kernel) on {@code
   * directory}, which is created and must be empty; skips the test where it cannot.
   */
  public static SmallFilesystem mount(Path directory, long bytes) throws IOException, InterruptedException {
    Files.createDirectories(directory);
    assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"),
        "a small filesystem is a Linux tmpfs; this is " + System.getProperty("os.name"));
    String failure = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", directory.toString()));
    assumeTrue(failure == null, () -> "cannot mount a small tmpfs to fill (needs root or CAP_SYS_ADMIN): " + failure);
    return new SmallFilesystem(directory);
  }

  /** The mounted directory: everything written under it counts against the size. */
  public Path root() {
    return root;
  }

  /** Free bytes left, as the filesystem reports them. */
  public long freeBytes() throws IOException {
    return Files.getFileStore(root).getUsableSpace();
  }

  /** Grows (or shrinks) the filesystem to {@code bytes}, keeping its files: space freed. */
  public void resize(long bytes) throws IOException, InterruptedException {
    String failure = run(List.of("mount", "-o", "remount,size=" + bytes, root.toString()));
    if (failure != null) {
      throw new IOException("cannot resize the tmpfs at " + root + ": " + failure);
    }
  }

  /** Unmounts it (lazily: files a failed test left open do not keep it mounted); idempotent. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (mounted) {
      mounted = false;
      try {
        Runtime.getRuntime().removeShutdownHook(unmountAtExit);
      } catch (IllegalStateException exiting) {
        // the hook unmounts it
      }
      String failure = run(List.of("umount", "-l", root.toString()));
      if (failure != null) {
        throw new IOException("cannot unmount the tmpfs at " + root + ": " + failure);
      }
    }
  }

  /** Whether {@code failure}'s cause chain names the disk's {@code ENOSPC} ("No space left on device"). */
  public static boolean namesFullDisk(Throwable failure) {
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (String.valueOf(c.getMessage()).contains(NO_SPACE)) {
        return true;
      }
    }
    return false;
  }

  /** Runs a command; null when it exited 0, else what it printed and its status. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return String.join(" ", command) + ": " + e.getMessage();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return String.join(" ", command) + " did not finish within 30 s";
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return process.exitValue() == 0 ? null : String.join(" ", command) + " exited " + process.exitValue() + ": " + output;
  }
}
