package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.SnapshotStore.SnapshotSink;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SnapshotStore} must show, as an abstract JUnit 5 test class. Each
 * test is named after the rule it checks; together they restate {@link SnapshotStore}'s Javadoc
 * as executable specifications.
 *
 * <p><b>Running it against your own store.</b> Add {@code raft-api}'s test-jar to your test
 * classpath (see {@link LogStoreContract}) and extend this class:
 *
 * <pre>{@code
 * class MySnapshotStoreTest extends SnapshotStoreContract {
 *   @TempDir Path dir;
 *
 *   @Override protected SnapshotStore newStore() { return MySnapshotStore.open(dir); }
 * }
 * }</pre>
 *
 * <p>Every test gets a fresh, empty store from {@link #newStore()} and closes it at the end.
 * The tests that commit newer snapshots commit {@link #NEWER} of them, so that a store pruning
 * all but its newest few (up to {@code NEWER - 1}) is held to the reader rule too.
 */
public abstract class SnapshotStoreContract {

  /** How many newer snapshots the reader-rule tests commit while a reader is open. */
  protected static final int NEWER = 4;

  /** The store under test. */
  protected SnapshotStore store;

  /** A new, empty store. Called once before each test. */
  protected abstract SnapshotStore newStore();

  @BeforeEach
  final void openStore() {
    store = newStore();
  }

  @AfterEach
  final void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- writing and reading

  @Test
  void newStoreHasNoSnapshot() {
    assertEquals(Optional.empty(), store.newest());
  }

  @Test
  void committedSnapshotIsTheNewestWithItsMetaSizeAndBytes() throws IOException {
    store.save(snapshot(10, 2));

    StoredSnapshot newest = store.newest().orElseThrow();
    assertAll(
        () -> assertEquals(snapshot(10, 2).meta(), newest.meta()),
        () -> assertEquals(data(10).length, newest.size()),
        () -> assertArrayEquals(data(10), readAll(newest)));
  }

  @Test
  void snapshotNotNewerThanTheNewestIsDiscardedOnCommit() {
    store.save(snapshot(20, 3));

    store.save(snapshot(15, 3));
    store.save(snapshot(20, 3));

    assertEquals(Optional.of(snapshot(20, 3)), store.latest());
  }

  @Test
  void snapshotClosedWithoutCommitIsNeverVisible() throws IOException {
    store.save(snapshot(10, 2));

    try (SnapshotSink sink = store.create(snapshot(20, 3).meta())) {
      sink.stream().write(data(20));
    }

    assertEquals(Optional.of(snapshot(10, 2)), store.latest());
  }

  @Test
  void eachOpenIsAFreshStreamFromTheFirstByte() throws IOException {
    store.save(snapshot(10, 2));
    StoredSnapshot stored = store.newest().orElseThrow();

    try (InputStream first = stored.open()) {
      first.readNBytes(3);
      assertArrayEquals(data(10), readAll(stored));
    }
  }

  // ---------------------------------------------------------------- readers and newer snapshots

  /**
   * A stream opened on a snapshot reads it to its end even when newer snapshots are committed
   * meanwhile and the store no longer keeps it as one of its newest: a leader streams a snapshot
   * to a follower for as long as the follower needs (§7), and takes newer ones meanwhile.
   */
  @Test
  void openStreamReadsItsSnapshotToTheEndAfterNewerOnesAreCommitted() throws IOException {
    store.save(snapshot(10, 2));
    StoredSnapshot streamed = store.newest().orElseThrow();

    byte[] read;
    try (InputStream in = streamed.open()) {
      byte[] head = in.readNBytes(3);
      commitNewer(10);
      byte[] tail = in.readAllBytes();
      read = concat(head, tail);
    }

    assertAll(
        () -> assertArrayEquals(data(10), read),
        () -> assertEquals(10 + 10 * NEWER, store.newest().orElseThrow().meta().lastIncludedIndex()));
  }

  /**
   * While a stream over a snapshot is open, the snapshot stays readable: opening its handle again
   * gives its bytes, even after newer snapshots are committed. A leader that must resend a lost
   * piece opens the snapshot it sends again (go-back-N, §7) before it closes the stream it holds.
   */
  @Test
  void snapshotWithAnOpenStreamCanBeOpenedAgainAfterNewerOnesAreCommitted() throws IOException {
    store.save(snapshot(10, 2));
    StoredSnapshot streamed = store.newest().orElseThrow();

    byte[] again;
    try (InputStream held = streamed.open()) {
      held.readNBytes(3);
      commitNewer(10);
      again = readAll(streamed);
    }

    assertArrayEquals(data(10), again);
  }

  /** Readers of an older snapshot do not hold back newer ones: the newest is still the newest. */
  @Test
  void openStreamOnAnOlderSnapshotLeavesTheNewestReadable() throws IOException {
    store.save(snapshot(10, 2));
    StoredSnapshot older = store.newest().orElseThrow();

    try (InputStream held = older.open()) {
      commitNewer(10);
      StoredSnapshot newest = store.newest().orElseThrow();
      long index = newest.meta().lastIncludedIndex();
      assertAll(
          () -> assertEquals(10 + 10 * NEWER, index),
          () -> assertArrayEquals(data(index), readAll(newest)),
          () -> assertTrue(held.read() >= 0, "the older stream is still readable"));
    }
  }

  // ---------------------------------------------------------------- after close

  @Test
  void closeIsIdempotent() {
    store.close();
    store.close();
    store = null;
  }

  // ---------------------------------------------------------------- fixtures

  /** The bytes of the snapshot at {@code index}: they name it, so that mix-ups show. */
  protected static byte[] data(long index) {
    return ("state machine at " + index).getBytes(StandardCharsets.UTF_8);
  }

  /** A snapshot at {@code index} in {@code term}, with {@link #data(long)} as its bytes. */
  protected static Snapshot snapshot(long index, long term) {
    return new Snapshot(new SnapshotMeta(index, term, ClusterConfig.ofVoters("n1", "n2", "n3")),
        Bytes.wrap(data(index)));
  }

  /** Commits {@link #NEWER} snapshots after {@code index}, ten entries apart. */
  protected void commitNewer(long index) {
    for (int i = 1; i <= NEWER; i++) {
      store.save(snapshot(index + 10L * i, 3));
    }
  }

  /** Opens {@code stored} and reads it whole, which also checks its checksum. */
  protected static byte[] readAll(StoredSnapshot stored) throws IOException {
    try (InputStream in = stored.open()) {
      return in.readAllBytes();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
