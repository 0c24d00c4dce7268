package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Frames still arriving share one byte budget across connections: a frame that does not fit
 * stops its connection's reading (back-pressure) instead of being buffered, and resumes,
 * losing nothing, once another frame completes.
 */
class InboundBudgetTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final AppendEntries BATCH = new AppendEntries(N1, N2, 1, 0, 0,
      List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[600]))), 0, 1);
  private static final byte[] FRAME = Frames.encode(BATCH);

  private final InboundBudget budget = new InboundBudget(1000);
  private final TransportCounters counters = new TransportCounters();

  private EmbeddedChannel connection() {
    return new EmbeddedChannel(FrameDecoder.open(4096, Frames.CLUSTER, WireFormat.DEFAULT_GROUP, budget, counters));
  }

  @Test
  void frameThatDoesNotFitStopsItsConnectionUntilAnotherFrameCompletes() {
    EmbeddedChannel first = connection();
    EmbeddedChannel second = connection();
    int half = FRAME.length / 2;

    first.writeInbound(Unpooled.copiedBuffer(FRAME, 0, half));
    assertEquals(FRAME.length - 4, budget.reserved(), "the first frame reserves its length");
    second.writeInbound(Unpooled.copiedBuffer(FRAME, 0, half));
    assertFalse(second.config().isAutoRead(), "the second frame does not fit: its connection stops reading");
    assertEquals(1, counters.inboundReadPauses.sum());
    // The rest arrives anyway (already read by the kernel and the TLS layer); nothing is decoded yet.
    second.writeInbound(Unpooled.copiedBuffer(FRAME, half, FRAME.length - half));
    assertNull(second.readInbound());

    first.writeInbound(Unpooled.copiedBuffer(FRAME, half, FRAME.length - half));
    assertEquals(BATCH, first.readInbound());
    second.runPendingTasks();

    assertTrue(second.config().isAutoRead(), "reading resumed");
    assertEquals(BATCH, second.readInbound(), "nothing lost");
    assertEquals(0, budget.reserved());
    assertFalse(first.finish());
    assertFalse(second.finish());
  }

  @Test
  void closingAConnectionReleasesItsReservation() {
    EmbeddedChannel channel = connection();
    channel.writeInbound(Unpooled.copiedBuffer(FRAME, 0, 10));
    assertEquals(FRAME.length - 4, budget.reserved());
    channel.close();
    assertEquals(0, budget.reserved());
  }

  @Test
  void completeFramesInOneReadNeedNoReservation() {
    EmbeddedChannel channel = connection();
    channel.writeInbound(Unpooled.wrappedBuffer(FRAME, FRAME, FRAME));
    for (int i = 0; i < 3; i++) {
      assertEquals(BATCH, channel.readInbound());
    }
    assertEquals(0, counters.inboundReadPauses.sum());
    assertEquals(0, budget.reserved());
  }

  /**
   * A wake-up that throws (here: the waiter's event loop has already shut down, so scheduling on
   * it is rejected) neither stops the waiters queued after it from being woken nor reaches the
   * connection whose release ran the wake-ups; it is logged.
   */
  @Test
  void everyWaiterIsWokenEvenIfAnEarlierWakeUpThrows() throws Exception {
    EventLoop stopped = new DefaultEventLoop();
    stopped.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    EventLoop live = new DefaultEventLoop();
    CountDownLatch secondWoken = new CountDownLatch(1);
    try (CapturedLog log = new CapturedLog()) {
      assertTrue(budget.tryReserve(1000));
      budget.await(600, () -> stopped.execute(() -> {}));
      budget.await(600, () -> live.execute(secondWoken::countDown));

      RuntimeException thrownAtRelease = null;
      try {
        budget.release(1000);
      } catch (RuntimeException e) {
        thrownAtRelease = e;
      }

      assertTrue(secondWoken.await(5, TimeUnit.SECONDS), "the waiter after the failing one is woken");
      assertNull(thrownAtRelease, "the releasing connection does not see the failed wake-up");
      assertEquals(1, log.lines(Pattern.compile("wake-up of a reader waiting for the inbound budget failed")).size());
      assertEquals(0, budget.reserved());
    } finally {
      live.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }
}
