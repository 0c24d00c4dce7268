package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input and slow peers cost one connection or some dropped messages, never the node. */
class ConnectionHardeningTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  /** A configured member that is not running: raw sockets speak as it. */
  private static final NodeId N3 = NodeId.of("n3");
  private static final long CLUSTER = LoopbackCluster.CLUSTER_ID;

  private LoopbackCluster cluster;
  private RunningNode n1;
  private RunningNode n2;

  @BeforeEach
  void startNodes() {
    cluster = new LoopbackCluster(List.of(N1, N2, N3));
    n1 = new RunningNode(cluster.config(N1));
    n2 = new RunningNode(cluster.config(N2));
    n1.awaitLink(n2);
  }

  @AfterEach
  void stopNodes() {
    n1.close();
    n2.close();
  }

  @Test
  void garbageClosesOnlyItsOwnConnection() {
    byte[] garbage = new byte[256];
    new SplittableRandom(3).nextBytes(garbage);
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.write(garbage);
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().decodeErrors());
    assertLinkStillCarries(n1, n2);
  }

  @Test
  void oversizeLengthHeaderIsRefusedBeforeTheFrameArrives() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.handshakeAs(N3);
      socket.write(Unpooled.buffer().writeInt(WireFormat.DEFAULT_MAX_FRAME_SIZE + 1).array());
      assertTrue(socket.closedByPeer(), "closed on the length header alone");
    }
    assertEquals(1, n2.stats().decodeErrors());
    assertLinkStillCarries(n1, n2);
  }

  @Test
  void corruptFrameAfterGoodOnesKeepsTheGoodOnes() {
    RaftMessage good = SampleMessages.numbered(N3, N2, 5);
    byte[] bad = Frames.withByte(Frames.encode(good, CLUSTER), 7, 99);
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.handshakeAs(N3);
      socket.send(good);
      socket.write(bad);
      assertTrue(socket.closedByPeer());
    }
    assertTrue(n2.messages().contains(good));
    assertEquals(1, n2.stats().decodeErrors());
  }

  /**
   * A frame that breaks the protocol (here one addressed to another node) condemns its connection:
   * frames that the same read brought behind it are not delivered.
   */
  @Test
  void framesBehindAProtocolViolationAreNotDelivered() {
    RaftMessage misaddressed = SampleMessages.numbered(N3, N1, 1);
    RaftMessage behind = SampleMessages.numbered(N3, N2, 2);
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.handshakeAs(N3);
      socket.write(ByteBufUtil.getBytes(Unpooled.wrappedBuffer(Frames.encode(misaddressed, CLUSTER),
          Frames.encode(behind, CLUSTER))));
      assertTrue(socket.closedByPeer());
    }
    // n2 has one I/O thread, which reads the marker only after the violating read and its close.
    assertLinkStillCarries(n1, n2);
    assertFalse(n2.messages().contains(behind), "delivered behind the violation: " + n2.messages());
    assertEquals(1, n2.stats().protocolViolations());
    assertEquals(0, n2.stats().inboundBufferedBytes());
  }

  @Test
  void handshakeFrameAboveTheHandshakeLimitIsRefusedFromItsLengthHeader() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.write(Unpooled.buffer().writeInt(WireFormat.MAX_HANDSHAKE_FRAME_SIZE + 1).array());
      assertTrue(socket.closedByPeer());
    }
    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().decodeErrors() == 1);
    assertEquals(0, n2.stats().handshakeRejections(), "refused by the length, not by the handshake timeout");
    assertLinkStillCarries(n1, n2);
  }

  @Test
  void newConnectionOfAPeerReplacesItsOlderOne() {
    try (RawSocket older = new RawSocket(n2.transport.localAddress(), CLUSTER);
        RawSocket newer = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      older.handshakeAs(N3);
      newer.handshakeAs(N3);
      assertTrue(older.closedByPeer(), "a peer keeps one connection; the older one is given up");
      RaftMessage message = SampleMessages.numbered(N3, N2, 1);
      newer.send(message);
      await().atMost(RunningNode.PATIENCE).until(() -> n2.received.contains(message));
    }
    assertLinkStillCarries(n1, n2);
  }

  @Test
  void frameThatDoesNotFitTheInboundBudgetWaitsForAnotherToCompleteAndIsDelivered() {
    NodeId n4 = NodeId.of("n4");
    LoopbackCluster small = new LoopbackCluster(List.of(N1, N2, N3, n4));
    AppendEntries fromN3 = new AppendEntries(N3, N2, 1, 0, 0,
        List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[40 * 1024]))), 0, 1);
    AppendEntries fromN4 = new AppendEntries(n4, N2, 1, 0, 0,
        List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[40 * 1024]))), 0, 2);
    byte[] first = Frames.encode(fromN3, CLUSTER);
    byte[] second = Frames.encode(fromN4, CLUSTER);
    try (RunningNode limited = new RunningNode(small.config(N2, b -> b.maxFrameSize(64 * 1024)
            .maxInboundBufferedBytes(64 * 1024)));
        RawSocket a = new RawSocket(limited.transport.localAddress(), CLUSTER);
        RawSocket b = new RawSocket(limited.transport.localAddress(), CLUSTER)) {
      a.handshakeAs(N3);
      b.handshakeAs(n4);
      a.write(java.util.Arrays.copyOf(first, 1000));
      await().atMost(RunningNode.PATIENCE).until(() -> limited.stats().inboundBufferedBytes() == first.length - 4);
      b.write(java.util.Arrays.copyOf(second, 1000));
      await().atMost(RunningNode.PATIENCE).until(() -> limited.stats().inboundReadPauses() == 1);
      b.write(java.util.Arrays.copyOfRange(second, 1000, second.length));
      assertTrue(limited.messages().isEmpty(), "the second frame waits, unread");

      a.write(java.util.Arrays.copyOfRange(first, 1000, first.length));

      await().atMost(RunningNode.PATIENCE).until(() -> limited.messages().size() == 2);
      assertEquals(List.of(fromN3, fromN4), limited.messages(), "nothing lost, in the order the budget allowed");
      assertEquals(0, limited.stats().inboundBufferedBytes());
    }
  }

  @Test
  void messageAboveTheFrameLimitIsDroppedAtTheSender() {
    AppendEntries huge = new AppendEntries(N1, N2, 1, 0, 0,
        List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[WireFormat.DEFAULT_MAX_FRAME_SIZE]))), 0, 1);
    n1.transport.send(huge);
    assertEquals(1, n1.stats().droppedOversize());
    assertLinkStillCarries(n1, n2);
    assertTrue(n2.messages().stream().noneMatch(huge::equals));
  }

  @Test
  void failingHandlerLosesOnlyTheMessageItFailedOn() {
    AtomicBoolean failNext = new AtomicBoolean(true);
    InetSocketAddress address = LoopbackCluster.freeLoopbackAddress();
    NettyTransportConfig config = NettyTransportConfig.builder(NodeId.of("n3"), LoopbackCluster.CLUSTER)
        .listenAddress(address).peer(N1, cluster.address(N1)).build();
    NettyTransport n3 = new NettyTransport(config);
    java.util.Queue<RaftMessage> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
    n3.start(m -> {
      if (failNext.getAndSet(false)) {
        throw new IllegalStateException("handler bug");
      }
      received.add(m);
    });
    try (RawSocket socket = new RawSocket(n3.localAddress(), CLUSTER)) {
      socket.handshakeAs(N1);
      socket.send(SampleMessages.numbered(N1, NodeId.of("n3"), 1));
      socket.send(SampleMessages.numbered(N1, NodeId.of("n3"), 2));
      await().atMost(RunningNode.PATIENCE).until(() -> received.size() == 1);
      assertEquals(SampleMessages.numbered(N1, NodeId.of("n3"), 2), received.peek());
    } finally {
      n3.close();
    }
  }

  @Test
  void messagesToAPeerThatStopsReadingAreDroppedOnceItsBufferIsFull() throws IOException {
    try (ServerSocket stalled = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NettyTransportConfig config = NettyTransportConfig.builder(N1, LoopbackCluster.CLUSTER)
          .listenAddress(LoopbackCluster.freeLoopbackAddress())
          .peer(N2, new InetSocketAddress(InetAddress.getLoopbackAddress(), stalled.getLocalPort()))
          .writeBufferWaterMarks(32 * 1024, 64 * 1024)
          .build();
      try (RunningNode sender = new RunningNode(config);
          RawSocket peer = new RawSocket(stalled.accept(), CLUSTER)) {
        answerHelloThenStopReading(peer);
        await().atMost(RunningNode.PATIENCE).until(() -> sender.transport.isConnected(N2));
        AppendEntries batch = new AppendEntries(N1, N2, 1, 0, 0,
            List.of(LogEntry.command(1, 1, Bytes.wrap(new byte[64 * 1024]))), 0, 1);
        await().atMost(RunningNode.PATIENCE).until(() -> {
          assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 64; i++) {
              sender.transport.send(batch);
            }
          });
          return sender.stats().droppedUnwritable() > 0;
        });
        assertTrue(sender.stats().messagesSent() < 10_000, "bounded: " + sender.stats());
      }
    }
  }

  @Test
  void reconnectsAfterThePeerRestartsAndCountsIt() {
    n2.close();
    n2 = new RunningNode(cluster.config(N2));
    n1.awaitLink(n2);
    assertTrue(n1.stats().reconnects() >= 1, n1.stats().toString());
  }

  @Test
  void statsCountWhatWasSentAndReceived() {
    long before = n2.stats().messagesReceived();
    // Probes sent by awaitLink before the link was up may have been dropped: count from here.
    long droppedBefore = n1.stats().dropped();
    for (int i = 0; i < 100; i++) {
      n1.transport.send(SampleMessages.numbered(N1, N2, i));
    }
    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().messagesReceived() >= before + 100);
    assertTrue(n1.stats().messagesSent() >= 100);
    assertEquals(droppedBefore, n1.stats().dropped(), n1.stats().toString());
  }

  private static void answerHelloThenStopReading(RawSocket peer) {
    Object hello = peer.readMessage();
    assertTrue(hello instanceof Hello, String.valueOf(hello));
    peer.send(new Hello(CLUSTER, N2));
  }

  private static void assertLinkStillCarries(RunningNode from, RunningNode to) {
    RaftMessage marker = SampleMessages.numbered(from.id(), to.id(), 424242);
    await("link " + from.id() + " -> " + to.id() + " still carries messages").atMost(RunningNode.PATIENCE)
        .pollInterval(Duration.ofMillis(20)).until(() -> {
          from.transport.send(marker);
          return to.received.contains(marker);
        });
  }
}
