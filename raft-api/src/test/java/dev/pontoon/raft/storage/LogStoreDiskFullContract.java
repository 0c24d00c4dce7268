package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a durable {@link LogStore} must do when its disk fills, checked on a real filesystem that
 * fills ({@link SmallFilesystem}: skipped where none can be mounted). The write that finds the
 * disk full fails with a {@link StorageException} whose cause chain names the disk's error; every
 * entry and hard state that a {@link LogStore#sync()} returned for survives, and nothing else
 * appears in their place; once space is freed the store opens again and takes appends after its
 * synced log. A Pontoon node stops on the failed write (a store failure is fatal) and is
 * restarted on the same directory, which is what these tests do to the store.
 *
 * <p>Extend it with the store's {@link #open(Path)}; {@link #filesystemBytes()} may be raised for
 * a store whose fixed files need more room.
 */
public abstract class LogStoreDiskFullContract {
  private static final int BATCH = 16;
  private static final int PAYLOAD_BYTES = 1024;
  private static final NodeId VOTE = NodeId.of("n2");

  @TempDir Path temp;
  private SmallFilesystem disk;
  private LogStore store;

  /** Opens the store under test in {@code directory} (new, or the one a previous open left). */
  protected abstract LogStore open(Path directory);

  /** Size of the small filesystem: room for the store's fixed files and a few MiB of log. */
  protected long filesystemBytes() {
    return 4L << 20;
  }

  @BeforeEach
  final void mountSmallDisk() throws Exception {
    disk = SmallFilesystem.mount(temp.resolve("disk"), filesystemBytes());
  }

  @AfterEach
  final void unmount() throws Exception {
    try {
      if (store != null) {
        closeQuietly(store);
      }
    } finally {
      if (disk != null) {
        disk.close();
      }
    }
  }

  @Test
  void aWriteThatFindsTheDiskFullFailsWithAStorageExceptionNamingTheCause() {
    store = open(dir());
    Filled filled = fill(store);
    assertInstanceOf(StorageException.class, filled.failure(), "the failure a full disk gives");
    assertTrue(SmallFilesystem.namesFullDisk(filled.failure()),
        () -> "the failure names the full disk, but says: " + describe(filled.failure()));
    assertTrue(filled.lastSynced() > 0, "the filesystem held some log before it filled");
  }

  @Test
  void afterTheDiskFilledEverySyncedEntryAndHardStateSurviveARestartOnceSpaceIsFreed() throws Exception {
    Filled filled = fillAndStop();

    disk.resize(filesystemBytes() * 4);
    store = open(dir());
    assertHolds(store, filled);
  }

  @Test
  void onTheStillFullDiskTheStoreEitherOpensWithItsSyncedLogOrRefusesNamingTheCause() throws Exception {
    Filled filled = fillAndStop();

    try {
      store = open(dir());
      assertHolds(store, filled);
      closeQuietly(store);
      store = null;
    } catch (StorageException refused) {
      assertTrue(SmallFilesystem.namesFullDisk(refused), () -> "a refused open names the full disk, but says: " + describe(refused));
    }
    // Whatever that open did, freeing space brings everything synced back.
    disk.resize(filesystemBytes() * 4);
    store = open(dir());
    assertHolds(store, filled);
  }

  @Test
  void onceSpaceIsFreedTheStoreTakesAppendsAfterItsSyncedLogAndKeepsThemAcrossARestart() throws Exception {
    Filled filled = fillAndStop();

    disk.resize(filesystemBytes() * 4);
    store = open(dir());
    long next = filled.lastSynced() + 1;
    // A restarted follower's leader overwrites whatever unsynced suffix survived (§5.3).
    List<LogEntry> more = entries(next, next + BATCH - 1, 2);
    store.truncateSuffix(next);
    store.append(more);
    store.saveHardState(new HardState(2, VOTE, next));
    store.sync();
    closeQuietly(store);
    store = open(dir());

    assertEquals(next + BATCH - 1, store.lastIndex(), "lastIndex after the appends that followed");
    assertEquals(entries(1, filled.lastSynced(), 1), store.entries(1, next, Long.MAX_VALUE), "the log synced before the disk filled");
    assertEquals(more, store.entries(next, next + BATCH, Long.MAX_VALUE), "the appends after space was freed");
    assertEquals(new HardState(2, VOTE, next), store.loadHardState(), "hard state");
  }

  // ---------------------------------------------------------------- fixtures

  /** What filling left: the last entry and hard state a sync returned for, and the write's failure. */
  private record Filled(long lastSynced, HardState hardState, RuntimeException failure) {}

  private Path dir() {
    return disk.root().resolve("log");
  }

  /** Opens the store, fills the disk with it and closes it: what the disk holds once a node stopped there. */
  private Filled fillAndStop() {
    store = open(dir());
    Filled filled = fill(store);
    closeQuietly(store);
    store = null;
    return filled;
  }

  /** Appends and syncs batches (with a hard state each) until a write fails; the disk is then full. */
  private Filled fill(LogStore s) {
    long lastSynced = 0;
    HardState synced = HardState.INITIAL;
    for (int round = 0; round < 1_000_000; round++) {
      long first = lastSynced + 1;
      HardState next = new HardState(1, VOTE, first);
      try {
        s.append(entries(first, first + BATCH - 1, 1));
        s.saveHardState(next);
        s.sync();
      } catch (RuntimeException e) {
        return new Filled(lastSynced, synced, e);
      }
      lastSynced = first + BATCH - 1;
      synced = next;
    }
    return fail("wrote " + lastSynced + " entries of " + PAYLOAD_BYTES + " bytes without filling " + filesystemBytes() + " bytes");
  }

  /** Every synced entry and the synced hard state (or a later one the failed write saved), nothing invented after them. */
  private static void assertHolds(LogStore s, Filled filled) {
    long last = s.lastIndex();
    assertTrue(last >= filled.lastSynced(), () -> "lastIndex " + last + " lost synced entries up to " + filled.lastSynced());
    assertEquals(1, s.firstIndex(), "firstIndex");
    List<LogEntry> kept = s.entries(1, last + 1, Long.MAX_VALUE);
    // Entries past the last sync may survive (written, not yet synced) but only as they were appended.
    assertEquals(entries(1, last, 1), kept, "the log after the disk filled");
    HardState state = s.loadHardState();
    boolean synced = state.equals(filled.hardState());
    boolean unsyncedLater = state.equals(new HardState(1, VOTE, filled.lastSynced() + 1));
    assertTrue(synced || unsyncedLater, () -> "hard state " + state + ", synced was " + filled.hardState());
  }

  private static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      byte[] payload = new byte[PAYLOAD_BYTES];
      Arrays.fill(payload, (byte) i);
      byte[] label = ("entry-" + i + "@" + term).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      System.arraycopy(label, 0, payload, 0, label.length);
      out.add(LogEntry.command(i, term, Bytes.wrap(payload)));
    }
    return out;
  }

  private static String describe(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(out.length() == 0 ? "" : " <- ").append(c);
    }
    return out.toString();
  }

  private static void closeQuietly(LogStore s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      // A close on a full disk may fail to write; what was synced must survive it, which the test checks.
    }
  }
}
