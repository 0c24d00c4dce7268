package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Messages sent while the connection's event loop is busy go out in one write burst and one flush. */
class WriteCoalescingTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  @Test
  void burstOfSendsIsWrittenWithOneFlush() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2));
    try (RunningNode n1 = new RunningNode(cluster.config(N1));
        RunningNode n2 = new RunningNode(cluster.config(N2))) {
      n1.awaitLink(n2);
      Channel channel = n1.transport.channelTo(N2);
      // Let the probes' drain tasks finish before counting.
      channel.eventLoop().submit(() -> { }).sync();
      AtomicInteger writes = new AtomicInteger();
      AtomicInteger flushes = new AtomicInteger();
      channel.pipeline().addLast("count", new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
          writes.incrementAndGet();
          ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
          flushes.incrementAndGet();
          ctx.flush();
        }
      });
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocked = new CountDownLatch(1);
      channel.eventLoop().execute(() -> {
        blocked.countDown();
        awaitQuietly(release);
      });
      blocked.await();

      for (int i = 0; i < 100; i++) {
        n1.transport.send(SampleMessages.numbered(N1, N2, i));
      }
      release.countDown();

      await().atMost(RunningNode.PATIENCE).until(() -> writes.get() == 100);
      channel.eventLoop().submit(() -> { }).sync();
      assertEquals(1, flushes.get(), "one flush for the whole burst");
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
