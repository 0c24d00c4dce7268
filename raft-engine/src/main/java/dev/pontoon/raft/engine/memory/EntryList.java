package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The entries of an {@link InMemoryLogStore} image, in chunks of up to {@value #DEFAULT_CHUNK}:
 * appending never copies more than one chunk, where a single growing array copies the whole log
 * each time it fills (for a log of millions of entries, tens of megabytes at a time); dropping a
 * prefix frees whole chunks. Only the last chunk grows (doubling, as an {@code ArrayList} does),
 * so a small log holds a small array.
 *
 * <p>An entry is kept as its term, kind and payload array ({@link Bytes#unwrap()}), not as its
 * {@link LogEntry} or {@link Bytes}: the log holds at most one object per entry (the array, shared
 * with whoever made it) instead of three, and the entry and wrapper objects handed in die young.
 * That matters because a long in-memory log is what the young collections copy: for 3 members in
 * one JVM appending 128-byte commands from one array, keeping the wrapper made young collections
 * take 1.5 of each 8 s (wrappers copied up to three times each), keeping the array 0.2 s. A
 * chunk keeps a term or kind shared by all its entries once. {@link #get} builds a new
 * {@code LogEntry}, equal to the one added; {@link #term} reads the term alone.
 *
 * <p>Positions are 0-based from the first entry held. Not thread-safe: the store synchronizes.
 */
final class EntryList {

  private static final int DEFAULT_CHUNK = 1 << 12;
  private static final int FIRST_CAPACITY = 16;
  private static final EntryKind[] KINDS = EntryKind.values();

  /**
   * One chunk: the terms, kinds (as ordinals) and payloads of up to {@link #chunk} consecutive
   * entries. A term changes only at an election, so nearly every chunk holds one term and one kind
   * (commands): those are kept once, as {@code term0} and {@code kind0}, and a chunk allocates its
   * per-entry array only when an entry differs. That leaves one reference per entry in the heap.
   */
  private static final class Chunk {
    long term0;
    byte kind0;
    /** Per-entry terms, or null while every entry has {@link #term0}. */
    long[] terms;
    /** Per-entry kinds, or null while every entry has {@link #kind0}. */
    byte[] kinds;
    /** The payloads' arrays, as {@link Bytes#unwrap()} gives them. */
    byte[][] payloads;

    Chunk(int capacity) {
      payloads = new byte[capacity][];
    }

    int capacity() {
      return payloads.length;
    }

    long term(int slot) {
      return terms == null ? term0 : terms[slot];
    }

    byte kind(int slot) {
      return kinds == null ? kind0 : kinds[slot];
    }

    /** Sets a slot; slot 0 is set once, when the chunk is new, and names the chunk's shared term and kind. */
    void set(int slot, long term, byte kind, Bytes payload) {
      if (slot == 0) {
        term0 = term;
        kind0 = kind;
      }
      if (terms != null) {
        terms[slot] = term;
      } else if (term != term0) {
        terms = new long[capacity()];
        Arrays.fill(terms, 0, slot, term0);
        terms[slot] = term;
      }
      if (kinds != null) {
        kinds[slot] = kind;
      } else if (kind != kind0) {
        kinds = new byte[capacity()];
        Arrays.fill(kinds, 0, slot, kind0);
        kinds[slot] = kind;
      }
      payloads[slot] = payload.unwrap();
    }

    Chunk copy() {
      Chunk c = new Chunk(0);
      c.term0 = term0;
      c.kind0 = kind0;
      c.terms = terms == null ? null : terms.clone();
      c.kinds = kinds == null ? null : kinds.clone();
      c.payloads = payloads.clone();
      return c;
    }

    void grow(int capacity) {
      terms = terms == null ? null : Arrays.copyOf(terms, capacity);
      kinds = kinds == null ? null : Arrays.copyOf(kinds, capacity);
      payloads = Arrays.copyOf(payloads, capacity);
    }
  }

  /** Entries per chunk; a power of two. */
  private final int chunk;

  private final ArrayList<Chunk> chunks = new ArrayList<>();
  /** Position of the first entry inside the first chunk. */
  private int head;
  private int size;
  /** The index of the entry at position 0, when {@code size > 0}: entries are consecutive. */
  private long firstIndex;

  EntryList() {
    this(DEFAULT_CHUNK);
  }

  /** With {@code chunk} entries per chunk (tests use small ones to cross chunk boundaries). */
  EntryList(int chunk) {
    if (chunk < FIRST_CAPACITY || Integer.bitCount(chunk) != 1) {
      throw new IllegalArgumentException("chunk must be a power of two of at least " + FIRST_CAPACITY + ": " + chunk);
    }
    this.chunk = chunk;
  }

  int size() {
    return size;
  }

  /** The entry at position {@code i}, as a new {@code LogEntry} equal to the one added there. */
  LogEntry get(int i) {
    checkPosition(i);
    int at = head + i;
    Chunk c = chunks.get(at / chunk);
    int slot = at % chunk;
    return new LogEntry(firstIndex + i, c.term(slot), KINDS[c.kind(slot)], Bytes.wrap(c.payloads[slot]));
  }

  /** The term of the entry at position {@code i}. */
  long term(int i) {
    checkPosition(i);
    int at = head + i;
    return chunks.get(at / chunk).term(at % chunk);
  }

  /**
   * Adds {@code e} after the last entry.
   *
   * @throws IllegalArgumentException if {@code e} does not follow the last entry's index
   */
  void add(LogEntry e) {
    if (size == 0) {
      firstIndex = e.index();
    } else if (e.index() != firstIndex + size) {
      throw new IllegalArgumentException("entry " + e.index() + " does not follow entry " + (firstIndex + size - 1));
    }
    int at = head + size;
    int n = at / chunk;
    int slot = at % chunk;
    if (n == chunks.size()) {
      // Only a log's first chunk starts small (a short log stays small); once a chunk has filled
      // up, the log is long, and growing each new chunk by doubling would copy it eight times.
      chunks.add(new Chunk(n == 0 ? FIRST_CAPACITY : chunk));
    }
    Chunk c = chunks.get(n);
    if (slot == c.capacity()) {
      c.grow(Math.min(chunk, c.capacity() * 2));
    }
    c.set(slot, e.term(), (byte) e.kind().ordinal(), e.payload());
    size++;
  }

  /** Keeps the first {@code n} entries. */
  void keepFirst(int n) {
    if (n < 0 || n > size) {
      throw new IndexOutOfBoundsException("cannot keep " + n + " of " + size + " entries");
    }
    int end = head + n;
    int chunksNeeded = n == 0 ? 0 : (end + chunk - 1) / chunk;
    chunks.subList(chunksNeeded, chunks.size()).clear();
    if (chunks.isEmpty()) {
      head = 0;
    } else {
      // Clear the dropped tail of the last chunk so that its payloads can be collected.
      Chunk last = chunks.get(chunks.size() - 1);
      int from = end - (chunksNeeded - 1) * chunk;
      Arrays.fill(last.payloads, from, last.capacity(), null);
    }
    size = n;
  }

  /** Drops the first {@code n} entries. */
  void dropFirst(int n) {
    if (n < 0 || n > size) {
      throw new IndexOutOfBoundsException("cannot drop " + n + " of " + size + " entries");
    }
    if (n == size) {
      clear();
      return;
    }
    int at = head + n;
    chunks.subList(0, at / chunk).clear();
    head = at % chunk;
    Arrays.fill(chunks.get(0).payloads, 0, head, null);
    size -= n;
    firstIndex += n;
  }

  void clear() {
    chunks.clear();
    head = 0;
    size = 0;
  }

  EntryList copy() {
    EntryList c = new EntryList(chunk);
    for (Chunk k : chunks) {
      c.chunks.add(k.copy());
    }
    c.head = head;
    c.size = size;
    c.firstIndex = firstIndex;
    return c;
  }

  private void checkPosition(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("position " + i + " outside [0, " + size + ")");
    }
  }
}
