package dev.pontoon.raft.engine.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on messages received from the transport and queued to the event loop, by count and
 * by (estimated) bytes. Beyond it an inbound message is dropped: Raft tolerates loss and the
 * sender retries (§5.3), which is back-pressure on peers instead of growth here. A message alone
 * in the queue is always accepted, however large, so that a snapshot bigger than the byte bound
 * still gets through. The snapshot receiver bounds the pieces waiting for its thread with the
 * same rule.
 *
 * <p><b>Threading.</b> {@link #tryAcquire} and {@link #release} from any threads (the transport's
 * and the event loop, or the loop and a queue's thread); lock-free.
 */
final class InboundLimit {

  private final int maxMessages;
  private final long maxBytes;
  private final AtomicInteger messages = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  InboundLimit(int maxMessages, long maxBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** Takes room for a message of {@code size} bytes; false (and nothing taken) when full. */
  boolean tryAcquire(long size) {
    if (messages.incrementAndGet() > maxMessages) {
      messages.decrementAndGet();
      return false;
    }
    long total = bytes.addAndGet(size);
    if (total > maxBytes && total != size) {
      bytes.addAndGet(-size);
      messages.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives back the room of a message of {@code size} bytes, taken off the queue. */
  void release(long size) {
    bytes.addAndGet(-size);
    messages.decrementAndGet();
  }
}
