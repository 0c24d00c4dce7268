package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;

/** Messages and read outcomes gathered since the last {@code ready()}, each handed out once. */
final class Outbox {
  /** May leave at once, in parallel with the write (a leader's AppendEntries, pre-votes). */
  final List<RaftMessage> sendNow = new ArrayList<>();
  /** May leave only once this Ready's writes are durable: they promise stored state. */
  final List<RaftMessage> sendAfterSync = new ArrayList<>();
  final List<ReadState> readsReady = new ArrayList<>();
  final List<Long> readsAborted = new ArrayList<>();

  boolean isEmpty() {
    return sendNow.isEmpty() && sendAfterSync.isEmpty() && readsReady.isEmpty() && readsAborted.isEmpty();
  }

  void clear() {
    sendNow.clear();
    sendAfterSync.clear();
    readsReady.clear();
    readsAborted.clear();
  }
}
