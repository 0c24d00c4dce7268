package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How often a node dials a peer whose connections end, and what it logs about them. A connection
 * that completes its handshake is not yet a healthy one: a peer in a crash loop, a proxy that
 * resets, or a peer that closes on the first frame completes handshake after handshake. Only a
 * connection that stayed up for {@code maxBackoff} starts the back-off over.
 */
class ReconnectBackoffTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final long CLUSTER = LoopbackCluster.CLUSTER_ID;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(10);

  private LoopbackCluster cluster;
  private FakePeer n2;

  @BeforeEach
  void startFakePeer() {
    cluster = new LoopbackCluster(List.of(N1, N2));
    n2 = new FakePeer(cluster.address(N2));
  }

  @AfterEach
  void stopFakePeer() {
    n2.close();
  }

  /**
   * A peer that closes every connection right after answering the Hello is dialled with the same
   * growing delays as a peer that refuses the connection: the eighth attempt waits for the
   * seventh delay, at least {@code min * 2^6 / 2} (320 ms here), not {@code minBackoff} again.
   */
  @Test
  void peerThatClosesRightAfterTheHandshakeIsRedialledWithGrowingDelays() {
    try (RunningNode n1 = new RunningNode(cluster.config(N1, b -> b.backoff(MIN_BACKOFF, Duration.ofSeconds(1))))) {
      await("eight dials").atMost(RunningNode.PATIENCE).until(() -> n2.dials() >= 8);

      List<Long> gaps = n2.gapsMillis();
      assertTrue(gaps.get(6) >= 250, "the eighth dial waited only " + gaps.get(6) + " ms; gaps between dials (ms): "
          + gaps + "; " + n1.stats());
      assertEquals(0, n1.stats().handshakeRejections(), "every handshake completed: " + n1.stats());
    }
  }

  /**
   * The connected and lost lines of connections that close before they are stable are INFO at most
   * once a minute per peer (DEBUG otherwise): eight such connections in a few seconds log the first
   * connected line and one lost line that says so, not sixteen lines.
   */
  @Test
  void connectionsThatCloseRightAfterTheHandshakeAreLoggedAtInfoAtMostOnceAMinute() {
    try (CapturedLog log = new CapturedLog();
        RunningNode n1 = new RunningNode(cluster.config(N1, b -> b.backoff(MIN_BACKOFF, Duration.ofSeconds(1))))) {
      await("eight dials").atMost(RunningNode.PATIENCE).until(() -> n2.dials() >= 8);

      List<String> lines = log.lines(Pattern.compile("n1: .* to n2 at \\S*:" + cluster.address(N2).getPort() + "\\b"));
      assertTrue(lines.size() <= 2, lines.size() + " INFO lines about " + n2.dials() + " short connections:\n"
          + String.join("\n", lines));
    }
  }

  /**
   * A connection that stayed up for {@code maxBackoff} starts the back-off over: when it drops, the
   * peer is dialled again within {@code minBackoff}, however long the delays had grown before it.
   */
  @Test
  void connectionThatStayedUpForMaxBackoffIsRedialledAtOnceWhenItDrops() {
    Duration maxBackoff = Duration.ofSeconds(2);
    try (RunningNode n1 = new RunningNode(cluster.config(N1, b -> b.backoff(MIN_BACKOFF, maxBackoff)))) {
      // Without a reset, the ninth failure waits at least maxBackoff / 2 (1 s): 10 ms * 2^8 is above it.
      await("nine short connections").atMost(RunningNode.PATIENCE).until(() -> n2.dials() >= 9);
      n2.holdNext();
      await("a connection that stays up for longer than maxBackoff").atMost(RunningNode.PATIENCE)
          .during(maxBackoff.plusSeconds(1)).until(() -> n1.transport.isConnected(N2) && n2.holding());

      int dials = n2.dials();
      long droppedAt = n2.dropHeld();
      await("the next dial").atMost(RunningNode.PATIENCE).until(() -> n2.dials() > dials);

      long millis = TimeUnit.NANOSECONDS.toMillis(n2.dialedAt(dials) - droppedAt);
      assertTrue(millis < 800, "dialled again " + millis + " ms after a connection of " + maxBackoff.plusSeconds(1)
          + " dropped; " + n1.stats());
    }
  }

  /**
   * Listens at n2's address in n2's place: answers each Hello with n2's and closes the connection at
   * once, or, after {@link #holdNext}, keeps the next one open until {@link #dropHeld}.
   */
  private static final class FakePeer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Long> dialedAt = new CopyOnWriteArrayList<>();
    private volatile boolean holdNext;
    private volatile Socket held;

    FakePeer(InetSocketAddress address) {
      try {
        server = new ServerSocket(address.getPort(), 50, address.getAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Thread acceptor = new Thread(this::acceptAll, "fake-n2");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void acceptAll() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          dialedAt.add(System.nanoTime());
          RawSocket raw = new RawSocket(socket, CLUSTER);
          raw.readMessage();
          raw.send(new Hello(CLUSTER, N2));
          if (holdNext) {
            holdNext = false;
            held = socket;
          } else {
            socket.close();
          }
        } catch (IOException | UncheckedIOException e) {
          // The server closed, or n1 closed its end mid-handshake: nothing to answer.
        }
      }
    }

    int dials() {
      return dialedAt.size();
    }

    long dialedAt(int index) {
      return dialedAt.get(index);
    }

    /** The milliseconds between consecutive dials so far. */
    List<Long> gapsMillis() {
      List<Long> gaps = new ArrayList<>();
      for (int i = 1; i < dialedAt.size(); i++) {
        gaps.add(TimeUnit.NANOSECONDS.toMillis(dialedAt.get(i) - dialedAt.get(i - 1)));
      }
      return gaps;
    }

    void holdNext() {
      holdNext = true;
    }

    boolean holding() {
      return held != null;
    }

    /** Closes the held connection; returns when, in {@link System#nanoTime}. */
    long dropHeld() {
      try {
        long now = System.nanoTime();
        held.close();
        return now;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        server.close();
        if (held != null) {
          held.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
