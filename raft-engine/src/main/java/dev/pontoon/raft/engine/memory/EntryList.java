package dev.pontoon.raft.engine.memory;

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
 * <p>Positions are 0-based from the first entry held. Not thread-safe: the store synchronizes.
 */
final class EntryList {

  private static final int DEFAULT_CHUNK = 1 << 12;
  private static final int FIRST_CAPACITY = 16;

  /** Entries per chunk; a power of two. */
  private final int chunk;

  private final ArrayList<LogEntry[]> chunks = new ArrayList<>();
  /** Position of the first entry inside the first chunk. */
  private int head;
  private int size;

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

  LogEntry get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("position " + i + " outside [0, " + size + ")");
    }
    int at = head + i;
    return chunks.get(at / chunk)[at % chunk];
  }

  void add(LogEntry e) {
    int at = head + size;
    int n = at / chunk;
    int slot = at % chunk;
    if (n == chunks.size()) {
      chunks.add(new LogEntry[FIRST_CAPACITY]);
    }
    LogEntry[] c = chunks.get(n);
    if (slot == c.length) {
      c = Arrays.copyOf(c, Math.min(chunk, c.length * 2));
      chunks.set(n, c);
    }
    c[slot] = e;
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
      // Clear the dropped tail of the last chunk so that its entries can be collected.
      LogEntry[] last = chunks.get(chunks.size() - 1);
      for (int i = end - (chunksNeeded - 1) * chunk; i < last.length && last[i] != null; i++) {
        last[i] = null;
      }
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
    LogEntry[] first = chunks.get(0);
    for (int i = 0; i < head; i++) {
      first[i] = null;
    }
    size -= n;
  }

  void clear() {
    chunks.clear();
    head = 0;
    size = 0;
  }

  EntryList copy() {
    EntryList c = new EntryList(chunk);
    for (int i = 0; i < size; i++) {
      c.add(get(i));
    }
    return c;
  }
}
