package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.examples.httptransport.StalledBodyServer;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /cluster}'s answer is built on the event loop of the channel that asked, also when a
 * member's {@code /status} stalls past the peer timeout: never on a timer thread (the JDK's shared
 * {@code CompletableFutureDelayScheduler} delays every other timeout in the JVM while it works) nor
 * on an HTTP client's thread. Over real loopback sockets, against a {@link StalledBodyServer} that
 * sends a status's head and never its body.
 */
class ClusterViewThreadingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PEER_TIMEOUT = Duration.ofMillis(500);
  private static final String LOOP_THREAD = "cluster-view-test-loop";
  private final EventLoop loop = new DefaultEventLoop((ThreadFactory) r -> new Thread(r, LOOP_THREAD));

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void theAnswerIsBuiltOnTheEventLoopWhenAMemberStallsPastThePeerTimeout() throws Exception {
    try (StalledBodyServer n2 = new StalledBodyServer()) {
      FakeRaftNode n1 = new FakeRaftNode(NodeId.of("n1"));
      n1.config = ClusterConfig.ofVoters("n1", "n2");
      PeerDirectory peers = new PeerDirectory(Map.of(NodeId.of("n1"), "127.0.0.1:0", NodeId.of("n2"), n2.hostPort()));
      KvHttpConfig config = KvHttpConfig.defaults().withPeerTimeout(PEER_TIMEOUT);
      ClusterView view = new ClusterView(new NodePages(n1, n1.log, peers, config), peers, config, null);

      // Asked on the loop, as KvHttpHandler asks; the answer comes a peer timeout later.
      CompletableFuture<String> builtOn = loop.submit(() -> view.gather(Map.of(), loop))
          .get(10, TimeUnit.SECONDS)
          .thenApply(response -> threadAndRelease(response));

      assertEquals(LOOP_THREAD, builtOn.get(30, TimeUnit.SECONDS).split(" ", 2)[0],
          "the /cluster answer is built and written on the channel's event loop");
      JsonNode answer = JSON.readTree(builtOn.join().split(" ", 2)[1]);
      assertEquals("no answer within " + PEER_TIMEOUT.toMillis() + " ms", answer.get("members").get(1).get("error").asText());
    }
  }

  /** The thread this runs on, then the answer's body; releases the answer. */
  private static String threadAndRelease(FullHttpResponse response) {
    try {
      return Thread.currentThread().getName() + " " + response.content().toString(StandardCharsets.UTF_8);
    } finally {
      response.release();
    }
  }
}
