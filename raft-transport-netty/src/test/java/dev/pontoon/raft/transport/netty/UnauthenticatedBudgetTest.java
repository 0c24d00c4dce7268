package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inbound byte budget is for the frames of authenticated peers: whoever can reach the port,
 * without completing a handshake, cannot hold bytes of it and so stall a member's frames.
 */
class UnauthenticatedBudgetTest {
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final long CLUSTER = LoopbackCluster.CLUSTER_ID;

  /**
   * A connection that sends the start of a Hello frame and nothing more never completes its
   * handshake; a member's frame that needs the whole budget (allowed: the budget need only be
   * {@code maxFrameSize}) must still be delivered while that connection waits for its timeout.
   */
  @Test
  void partialHelloOfAnUnauthenticatedConnectionDoesNotStallAMembersFrame() {
    LoopbackCluster cluster = new LoopbackCluster(List.of(N2, N3));
    AppendEntries big = new AppendEntries(N3, N2, 1, 0, 0,
        List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[62 * 1024]))), 0, 1);
    byte[] frame = Frames.encode(big, CLUSTER);
    try (RunningNode node = new RunningNode(cluster.config(N2, b -> b.maxFrameSize(64 * 1024)
            .maxInboundBufferedBytes(64 * 1024).handshakeTimeout(Duration.ofMinutes(5))));
        RawSocket stranger = new RawSocket(node.transport.localAddress(), CLUSTER)) {
      // The length field of a largest handshake frame and a few bytes of it; the rest never comes.
      byte[] partialHello = new byte[20];
      io.netty.buffer.Unpooled.wrappedBuffer(partialHello).setInt(0, WireFormat.MAX_HANDSHAKE_FRAME_SIZE);
      stranger.write(partialHello);
      await().atMost(RunningNode.PATIENCE).until(() -> node.stats().unauthenticatedConnections() == 1);
      RawSocket member = new RawSocket(node.transport.localAddress(), CLUSTER);
      // One round trip through the node's one I/O thread: the stranger's bytes have been read by now.
      member.handshakeAs(N3);

      // In two writes, so that the frame must be waited for and needs its bytes of the budget.
      member.write(Arrays.copyOf(frame, 1000));
      member.write(Arrays.copyOfRange(frame, 1000, frame.length));

      await("the member's frame is delivered while the stranger's partial Hello waits")
          .atMost(Duration.ofSeconds(20)).until(() -> node.messages().contains(big));
      assertEquals(List.of(big), node.messages());
      member.close();
    }
  }
}
