package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation in a running cluster under load: every node starts with a certificate
 * that expires a few seconds later; while clients write, new certificates are moved onto the
 * same files; once the old ones have expired, every connection is dropped and made again, which
 * only works with the new certificates. No write is lost and no client sees an error.
 *
 * <p>Leadership may change on a loaded machine (six reconnects drop heartbeats too), and Raft
 * allows it: a client then finds the leader again and goes on, and the refusals and lost
 * leaderships it met are not errors. Every other failure is. A write whose leader lost
 * leadership before answering is not acknowledged, so it is not among the writes checked.
 */
class CertificateRotationTest {
  private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final int CLIENTS = 4;
  /**
   * How long the first certificates are valid, from before the cluster starts: long enough to
   * cover certificate generation, the cluster's start and first election, the first 200 writes
   * and the reload of the new certificates even on a loaded machine, for the old ones must still
   * be valid while all of that happens. The test waits for their expiry, so it lasts this long.
   */
  private static final Duration FIRST_CERTIFICATES_VALID = Duration.ofSeconds(25);

  @TempDir
  Path dir;

  @Test
  void expiringCertificatesReplacedOnDiskUnderLoadLoseNoWriteAndFailNoClient() throws Exception {
    TestCertificates ca = new TestCertificates(dir, "cluster");
    Instant expiry = Instant.now().plus(FIRST_CERTIFICATES_VALID);
    Map<NodeId, TestCertificates.NodeFiles> installed = new LinkedHashMap<>();
    IDS.forEach(id -> installed.put(id, ca.issue(id.value(), expiry)));
    LoopbackCluster addresses = new LoopbackCluster(IDS);
    try (ServerCluster cluster = new ServerCluster(IDS, id -> addresses.config(id, b -> b
        .tls(installed.get(id).chain(), installed.get(id).key(), installed.get(id).trust())
        .tlsReloadInterval(Duration.ofMillis(100))));
        Load load = new Load(cluster::awaitLeader)) {
      load.awaitAcknowledged(200);

      Map<NodeId, TestCertificates.NodeFiles> next = new LinkedHashMap<>();
      IDS.forEach(id -> next.put(id, ca.issueAs(id + "-next", id.value(), Instant.now().plus(Duration.ofDays(1)))));
      IDS.forEach(id -> TestCertificates.rotate(next.get(id), installed.get(id)));
      IDS.forEach(id -> await(id + " reloads").atMost(RunningNode.PATIENCE)
          .until(() -> cluster.transport(id).stats().tlsReloads() >= 1));
      await("the first certificates expire").atMost(FIRST_CERTIFICATES_VALID.plus(RunningNode.PATIENCE))
          .until(() -> Instant.now().isAfter(expiry));
      for (NodeId id : IDS) {
        for (NodeId peer : IDS) {
          if (!peer.equals(id)) {
            reconnect(cluster.transport(id), peer);
            assertTrue(servedBy(cluster.transport(id), peer).getNotAfter().toInstant().isAfter(expiry),
                id + " sees the new certificate of " + peer);
          }
        }
      }
      load.awaitAcknowledged(load.acknowledged() + 200);
      load.stop();

      assertEquals(List.of(), load.errors(), "no client saw an error (besides " + load.leadershipChanges()
          + " writes met a change of leader)");
      List<Bytes> acknowledged = load.acknowledgedCommands();
      IDS.forEach(id -> cluster.awaitApplied(id, acknowledged));
      IDS.forEach(id -> assertEquals(0, cluster.transport(id).stats().handshakeRejections(),
          id + ": no handshake failed " + cluster.transport(id).stats()));
    }
  }

  /** Closes {@code from}'s connection to {@code to} and waits until a new one is established. */
  private static void reconnect(NettyTransport from, NodeId to) {
    Channel old = from.channelTo(to);
    old.close().syncUninterruptibly();
    await(from.config().localId() + " reconnects to " + to).atMost(RunningNode.PATIENCE)
        .until(() -> from.isConnected(to) && from.channelTo(to) != old);
  }

  private static X509Certificate servedBy(NettyTransport from, NodeId to) {
    try {
      return (X509Certificate) from.channelTo(to).pipeline().get(SslHandler.class).engine().getSession()
          .getPeerCertificates()[0];
    } catch (SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Clients that each write one command at a time to the leader until stopped, and remember the
   * outcome. A client that meets a change of leader finds the leader again (see {@link #leadershipLost}).
   */
  private static final class Load implements AutoCloseable {
    private final Supplier<RaftServer> leaders;
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sequence = new AtomicLong();
    private final Queue<Bytes> acknowledged = new ConcurrentLinkedQueue<>();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong leadershipChanges = new AtomicLong();
    private final List<Future<?>> loops = new ArrayList<>();

    /** {@code leaders} waits for a node that leads and returns it. */
    Load(Supplier<RaftServer> leaders) {
      this.leaders = leaders;
      for (int i = 0; i < CLIENTS; i++) {
        loops.add(clients.submit(this::writeUntilStopped));
      }
    }

    private void writeUntilStopped() {
      RaftServer leader = null;
      while (running.get()) {
        Bytes command = Bytes.ofUtf8("write-" + sequence.incrementAndGet());
        long term = -1;
        try {
          if (leader == null) {
            leader = leaders.get();
          }
          term = leader.status().term();
          assertEquals(command, leader.submit(command).get(10, TimeUnit.SECONDS));
          acknowledged.add(command);
        } catch (ExecutionException e) {
          if (leadershipLost(e.getCause(), leader, term)) {
            leadershipChanges.incrementAndGet();
            leader = null;
          } else {
            errors.add(command + ": " + e);
          }
        } catch (Exception | AssertionError e) {
          errors.add(command + ": " + e);
        }
      }
    }

    /**
     * Whether {@code failure} only says that {@code leader}, which led in {@code term} when the
     * write was submitted, no longer does: it refused the write (nothing was appended), or lost
     * leadership before the write committed (its fate is unknown; the write is not acknowledged).
     * An indeterminate answer from a leader still in its term (a proposal timeout) is an error.
     */
    private static boolean leadershipLost(Throwable failure, RaftServer leader, long term) {
      if (failure instanceof NotLeaderException) {
        return true;
      }
      if (failure instanceof IndeterminateStateException) {
        RaftNodeStatus now = leader.status();
        return now.role() != Role.LEADER || now.term() != term;
      }
      return false;
    }

    long leadershipChanges() {
      return leadershipChanges.get();
    }

    long acknowledged() {
      return acknowledged.size();
    }

    void awaitAcknowledged(long count) {
      await(count + " writes acknowledged").atMost(RunningNode.PATIENCE).until(() -> acknowledged.size() >= count);
    }

    List<Bytes> acknowledgedCommands() {
      return List.copyOf(acknowledged);
    }

    List<String> errors() {
      return List.copyOf(errors);
    }

    void stop() throws Exception {
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get(30, TimeUnit.SECONDS);
      }
    }

    @Override
    public void close() {
      running.set(false);
      clients.shutdownNow();
    }
  }
}
