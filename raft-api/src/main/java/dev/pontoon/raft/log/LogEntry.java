package dev.pontoon.raft.log;

import java.util.Objects;

/**
 * One entry of the replicated log (Raft Figure 2: "each entry contains command for state
 * machine, and term when entry was received by leader").
 *
 * @param index position in the log, from 1
 * @param term the leader's term when the entry was created, from 1
 * @param kind what the payload is
 * @param payload the command bytes, empty for {@link EntryKind#NO_OP}
 */
public record LogEntry(long index, long term, EntryKind kind, Bytes payload) {
  public LogEntry {
    if (index < 1) {
      throw new IllegalArgumentException("index (" + index + ") must be >= 1");
    }
    if (term < 1) {
      throw new IllegalArgumentException("term (" + term + ") must be >= 1");
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
  }

  /** A command entry. */
  public static LogEntry command(long index, long term, Bytes payload) {
    return new LogEntry(index, term, EntryKind.COMMAND, payload);
  }

  /** A no-op entry. */
  public static LogEntry noOp(long index, long term) {
    return new LogEntry(index, term, EntryKind.NO_OP, Bytes.EMPTY);
  }

  /** Approximate size in bytes, used to bound batches: the payload plus fixed overhead. */
  public long sizeInBytes() {
    return payload.size() + 24L;
  }
}
