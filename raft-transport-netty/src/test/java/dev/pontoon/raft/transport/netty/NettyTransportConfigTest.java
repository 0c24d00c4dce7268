package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.TimeoutNow;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NettyTransportConfigTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final dev.pontoon.raft.ClusterId C1 = dev.pontoon.raft.ClusterId.of("c1");
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

  private static NettyTransportConfig.Builder builder() {
    return NettyTransportConfig.builder(N1, C1).listenAddress(ANY);
  }

  @Test
  void defaultsAreValidAndAllowFramesAboveTheEnginesDefaultBatch() {
    NettyTransportConfig config = builder().build();
    assertEquals(8 * 1024 * 1024, config.maxFrameSize());
    assertEquals(false, config.tlsEnabled());
  }

  @Test
  void listenAddressIsRequired() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NettyTransportConfig.builder(N1, C1).build());
    assertEquals("listenAddress must be set", e.getMessage());
  }

  @Test
  void secondSettingOfTheSamePeerIsRefused() {
    NettyTransportConfig.Builder builder = builder().peer(NodeId.of("n2"), ANY);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.peer(NodeId.of("n2"), ANY));
    assertEquals("peer n2 is already set to " + ANY, e.getMessage());
  }

  @Test
  void tinyFrameLimitIsRefusedWithTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().maxFrameSize(100).build());
    assertEquals("maxFrameSize (100) must be at least 4096", e.getMessage());
  }

  @Test
  void backoffBoundsMustBeOrdered() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build());
    assertEquals("maxBackoff (PT1S) must not be less than minBackoff (PT2S)", e.getMessage());
  }

  @Test
  void waterMarksMustBeOrdered() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().writeBufferWaterMarks(10, 5).build());
    assertEquals("writeBufferHighWaterMark (5) must not be less than writeBufferLowWaterMark (10)", e.getMessage());
  }

  @Test
  void missingTlsFileIsNamed() {
    Path missing = Path.of("no-such-cert.pem");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().tls(missing, missing, missing));
    assertEquals("certificateChain (no-such-cert.pem) is not a readable file", e.getMessage());
  }

  @Test
  void tlsChecksNodeIdsAndHostNamesUnlessToldOtherwise(@org.junit.jupiter.api.io.TempDir Path dir)
      throws java.io.IOException {
    Path pem = java.nio.file.Files.writeString(dir.resolve("any.pem"), "-");
    NettyTransportConfig.Tls tls = builder().tls(pem, pem, pem).build().tls();
    assertEquals(true, tls.verifiesNodeIds());
    assertEquals(false, tls.insecureSkipHostNameVerification());
    assertEquals(java.time.Duration.ofMinutes(1), tls.reloadInterval());
    assertEquals(true, NettyTransport.securityWarnings(builder().tls(pem, pem, pem).build()).isEmpty());
    NettyTransportConfig lax = builder().tls(pem, pem, pem).insecureSkipNodeIdVerification()
        .insecureSkipHostNameVerification().build();
    assertEquals(false, lax.tls().verifiesNodeIds());
    assertEquals(2, NettyTransport.securityWarnings(lax).size());
  }

  @Test
  void tlsReloadIntervalWithoutTlsIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> builder().tlsReloadInterval(java.time.Duration.ofSeconds(5)).build());
    assertEquals("tlsReloadInterval needs tls(...)", e.getMessage());
  }

  @Test
  void insecureTlsOptionsWithoutTlsAreRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> builder().insecureSkipNodeIdVerification().build());
    assertEquals("insecureSkipNodeIdVerification needs tls(...)", e.getMessage());
  }

  @Test
  void inboundBudgetBelowOneFrameIsRefusedWithTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().maxFrameSize(8192).maxInboundBufferedBytes(4096).build());
    assertEquals("maxInboundBufferedBytes (4096) must be at least maxFrameSize (8192)", e.getMessage());
  }

  @Test
  void unauthenticatedConnectionLimitAndInboundBudgetHaveSafeDefaults() {
    NettyTransportConfig config = builder().build();
    assertEquals(64, config.maxUnauthenticatedConnections());
    assertEquals(64L * 1024 * 1024, config.maxInboundBufferedBytes());
    assertEquals(java.time.Duration.ofSeconds(10), config.handshakeTimeout());
  }

  @Test
  void zeroIoThreadsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> builder().ioThreads(0).build());
  }

  @Test
  void transportCannotStartTwiceAndSendBeforeStartIsCounted() {
    NettyTransport transport = new NettyTransport(builder().build());
    transport.send(new TimeoutNow(N1, NodeId.of("n2"), 1));
    assertEquals(1, transport.stats().droppedClosed());
    transport.start(m -> { });
    try {
      assertThrows(IllegalStateException.class, () -> transport.start(m -> { }));
    } finally {
      transport.close();
    }
    assertThrows(IllegalStateException.class, () -> transport.start(m -> { }));
  }

  @Test
  void occupiedListenAddressFailsStartWithTheAddress() {
    NettyTransport first = new NettyTransport(builder().build());
    first.start(m -> { });
    try {
      NettyTransport second = new NettyTransport(NettyTransportConfig.builder(N1, C1)
          .listenAddress(first.localAddress()).build());
      java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> second.start(m -> { }));
      assertEquals(true, e.getMessage().contains(String.valueOf(first.localAddress().getPort())), e.getMessage());
    } finally {
      first.close();
    }
  }
}
