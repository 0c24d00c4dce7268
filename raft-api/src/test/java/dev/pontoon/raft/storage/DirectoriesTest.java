package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir Path dir;

  @Test
  void createDurablyMakesMissingParentsAndLeavesAnExistingDirectoryAlone() throws IOException {
    Path nested = dir.resolve("a").resolve("b");
    Directories.createDurably(nested);
    assertTrue(Files.isDirectory(nested));
    Files.writeString(nested.resolve("kept"), "x");
    Directories.createDurably(nested);
    assertTrue(Files.exists(nested.resolve("kept")));
  }

  @Test
  void aSyncOnAnInterruptedThreadSucceedsAndKeepsTheInterrupt() throws IOException {
    try {
      Thread.currentThread().interrupt();
      Directories.sync(dir);
      assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aMissingDirectoryIsAnError() {
    assertThrows(NoSuchFileException.class, () -> Directories.sync(dir.resolve("missing")));
  }
}
