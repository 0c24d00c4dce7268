package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Keeps a node's snapshots, with the log position and configuration each covers, as streams:
 * neither writing nor reading a snapshot holds it in memory, so snapshots may be far larger than
 * the heap.
 *
 * <p><b>Writing.</b> {@link #create} opens a {@link SnapshotSink}; the caller writes the state
 * machine's bytes to {@link SnapshotSink#stream()}, then {@link SnapshotSink#commit() commits}
 * (or {@link SnapshotSink#close() closes} without committing, which discards it). A snapshot is
 * visible to {@link #newest()} only once committed, and committing is atomic: after a crash the
 * store holds the previous snapshot or the new one, never part of one.
 *
 * <p><b>Durability.</b> When {@code commit} returns, the snapshot survives a crash, and
 * {@link #newest()} returns it (or a later one). Committing a snapshot that is not newer (by
 * last included index) than the newest kept discards it.
 *
 * <p><b>Readers (to ensure liveness).</b> A store may prune snapshots that are no longer among its
 * newest (it need keep only the newest), but a snapshot being read stays readable:
 * <ol>
 *   <li>a stream from {@link StoredSnapshot#open()} reads its snapshot to the end, whatever is
 *       committed or pruned meanwhile;
 *   <li>while any stream over a snapshot is open, {@link StoredSnapshot#open()} on its handle
 *       succeeds (barring I/O failure) — a stream open acquires the snapshot, and closing the last
 *       one releases it; only then may a pruned snapshot's bytes be deleted;
 *   <li>a handle with no stream open may stop being readable as soon as a newer snapshot is
 *       committed: its {@code open()} then throws an {@link IOException} (for a file,
 *       {@link java.nio.file.NoSuchFileException}), and the caller takes {@link #newest()} again.
 * </ol>
 * A leader streams a snapshot to a slow follower while it takes newer ones (§7), and resends a
 * lost piece by opening the snapshot again before it closes the stream it holds; without rule 2 a
 * lossy link and frequent snapshots could keep a follower from ever catching up. For example,
 * with a store keeping one snapshot:
 * <pre>{@code
 * StoredSnapshot s10 = store.newest().orElseThrow();
 * InputStream held = s10.open();   // acquires snapshot 10
 * store.save(s20);                 // prunes 10 from newest(); its bytes stay
 * InputStream again = s10.open();  // succeeds: a stream over 10 is open (rule 2)
 * held.close();
 * again.close();                   // the last reader: 10 may now be deleted
 * s10.open();                      // may throw (rule 3)
 * }</pre>
 * The runtime does not rely on rules 1 and 2 for safety, only to make progress: if a store breaks
 * them, the leader restarts the transfer with the newest snapshot and the apply thread restores
 * the newest, rather than stop. {@code SnapshotStoreContract} in {@code raft-api}'s test-jar checks
 * these rules on any store.
 *
 * <p><b>Integrity.</b> Each stored snapshot knows its size and the CRC32C of its bytes; a reader
 * of {@link StoredSnapshot#open()} gets an {@link IOException} at the end of a stream whose bytes
 * do not match, so a damaged snapshot is never restored silently.
 *
 * <p><b>Threading.</b> Safe for use from several threads; one sink is used by one thread at a time.
 * Calls block on I/O; the runtime makes them only from its snapshot, sync and apply threads (the
 * apply thread's calls come from the event loop when the node applies there).
 */
public interface SnapshotStore extends AutoCloseable {

  /** Starts writing a snapshot of the log up to {@code meta.lastIncludedIndex()}. */
  SnapshotSink create(SnapshotMeta meta);

  /** The newest snapshot committed and readable, if any. */
  Optional<StoredSnapshot> newest();

  /**
   * Writes and commits {@code snapshot} in one call: a convenience for tests and small snapshots,
   * which are already in memory.
   */
  default void save(Snapshot snapshot) {
    try (SnapshotSink sink = create(snapshot.meta())) {
      sink.stream().write(snapshot.data().toByteArray());
      sink.commit();
    } catch (IOException e) {
      throw new StorageException("cannot write snapshot at " + snapshot.meta().lastIncludedIndex() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The newest snapshot read whole into memory: a convenience for tests and small snapshots. The
   * runtime never calls it.
   *
   * @throws StorageException if it cannot be read or fails its checksum
   */
  default Optional<Snapshot> latest() {
    return newest().map(stored -> {
      try (InputStream in = stored.open()) {
        return new Snapshot(stored.meta(), Bytes.wrap(in.readAllBytes()));
      } catch (IOException e) {
        throw new StorageException("cannot read snapshot at " + stored.meta().lastIncludedIndex() + ": "
            + e.getMessage(), e);
      }
    });
  }

  /** Releases resources. Idempotent. */
  @Override
  default void close() {}

  /** A snapshot being written. Not thread-safe. */
  interface SnapshotSink extends AutoCloseable {

    /** Where the snapshot's bytes go; closing it is not needed (the sink owns it). */
    OutputStream stream();

    /**
     * Makes the written snapshot durable and visible, atomically; discards it instead when the
     * store already keeps one at the same or a later index.
     *
     * @throws StorageException if it cannot be made durable; nothing is then visible
     */
    void commit();

    /** Discards the snapshot unless committed. Idempotent. */
    @Override
    void close();
  }

  /**
   * A committed snapshot: what it covers, its size and checksum, and a way to read it. Holding the
   * handle does not keep the snapshot readable; an open stream from {@link #open()} does.
   */
  interface StoredSnapshot {

    SnapshotMeta meta();

    /** Size of the state machine's bytes. */
    long size();

    /** CRC32C of the state machine's bytes. */
    int checksum();

    /**
     * A fresh stream over the state machine's bytes, from the first. Its {@code read} throws
     * {@link IOException} when the bytes read do not match {@link #checksum()} at their end. The
     * caller closes it. While it is open, the snapshot stays readable, to this stream and to
     * further {@code open()} calls on this handle, even once newer snapshots are committed (see
     * "Readers" in {@link SnapshotStore}).
     *
     * @throws IOException if it cannot be read, for example because it was pruned for a newer
     *     snapshot while no stream over it was open
     */
    InputStream open() throws IOException;
  }
}
