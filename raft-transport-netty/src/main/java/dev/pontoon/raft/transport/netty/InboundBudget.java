package dev.pontoon.raft.transport.netty;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes that all inbound connections of a transport together may hold in frames still
 * arriving after their handshake (handshake frames are bounded apart, see {@link FrameDecoder}).
 * A {@link FrameDecoder} reserves a frame's declared length when it must wait for the rest of the
 * frame, and releases it once the frame is complete or the connection closes. A connection whose
 * frame does not fit stops reading (back-pressure through TCP to the sender) and is woken when
 * another frame releases its bytes. Since a configured maximum frame always fits an empty budget,
 * and every reservation belongs to a frame that completes when its sender sends the rest, no
 * reader waits forever on a live sender. Thread-safe.
 */
final class InboundBudget {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final long limit;
  private final AtomicLong reserved = new AtomicLong();
  private final Queue<Waiter> waiting = new ConcurrentLinkedQueue<>();

  private record Waiter(long bytes, Runnable wake) {}

  /** @param limit the most bytes all reservations may hold together; at least the largest frame */
  InboundBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code bytes} if they fit, else reserves nothing and returns false. */
  boolean tryReserve(long bytes) {
    for (long current = reserved.get(); ; current = reserved.get()) {
      if (current + bytes > limit) {
        return false;
      }
      if (reserved.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier and wakes every waiting reader to try again. */
  void release(long bytes) {
    reserved.addAndGet(-bytes);
    wakeAll();
  }

  /**
   * Runs {@code wake} (once) after some bytes are released, or at once if {@code bytes} fit
   * already: a release may have happened between the failed {@link #tryReserve} and this call.
   * {@code wake} runs on the releasing thread and must only schedule work. If it throws (for
   * example, its event loop has shut down and rejects the task), the throw is logged at WARN and
   * goes no further: the other waiters are still woken, and the releasing caller does not see it.
   */
  void await(long bytes, Runnable wake) {
    waiting.add(new Waiter(bytes, wake));
    if (reserved.get() + bytes <= limit) {
      wakeAll();
    }
  }

  private void wakeAll() {
    for (Waiter w; (w = waiting.poll()) != null; ) {
      try {
        w.wake().run();
      } catch (RuntimeException e) {
        // One waiter's failure must not strand the waiters behind it: nothing else would wake them.
        log.warn("wake-up of a reader waiting for the inbound budget failed (it waited for {} bytes): {}",
            w.bytes(), e.toString());
      }
    }
  }

  /** Bytes reserved now. */
  long reserved() {
    return reserved.get();
  }

  long limit() {
    return limit;
  }
}
