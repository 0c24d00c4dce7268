package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries for the segment store's damage and recovery tests: each payload is a pattern of its
 * index and term, so that an entry read back from the wrong place or of the wrong term never
 * equals the one expected.
 */
final class SegmentEntries {
  /** Payload bytes of the entries {@link #entries} makes. */
  static final int PAYLOAD = 128;

  private SegmentEntries() {}

  static LogEntry entry(long index, long term, int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < payloadBytes; i++) {
      payload[i] = (byte) (index * 31 + term * 7 + i);
    }
    return LogEntry.command(index, term, Bytes.wrap(payload));
  }

  /** Entries {@code [from, to]} of {@code term}, with {@link #PAYLOAD} bytes each. */
  static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term, PAYLOAD));
    }
    return out;
  }

  /** Appends each entry of {@code [from, to]} as an append of its own, with a sync after each when {@code sync}. */
  static void appendOneByOne(SegmentLogStore store, long from, long to, long term, boolean sync) {
    for (long i = from; i <= to; i++) {
      store.append(List.of(entry(i, term, PAYLOAD)));
      if (sync) {
        store.sync();
      }
    }
  }

  /**
   * Appends and syncs one entry at a time until the store in {@code dir} rolls into a second
   * segment, then ten more there, each synced: segment 2 then holds synced entries. Returns the
   * last index.
   */
  static long syncedIntoSecondSegment(SegmentLogStore store, Path dir) throws IOException {
    long next = 1;
    while (SegmentImage.segments(dir).size() < 2) {
      appendOneByOne(store, next, next, 1, true);
      next++;
    }
    appendOneByOne(store, next, next + 9, 1, true);
    return next + 9;
  }

  /** Every entry the store holds. */
  static List<LogEntry> all(SegmentLogStore store) {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }
}
