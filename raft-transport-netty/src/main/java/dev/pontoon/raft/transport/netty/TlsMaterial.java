package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS material a transport uses for new connections, reloaded from its files when they
 * change (certificate rotation without a restart). {@link #reloadIfChanged()} reads the three
 * files; when their content differs from the material in use it checks the new material (see
 * {@link TlsContexts#read}) and, if it is sound, switches to it: new connections use it, and
 * established ones keep the session they have. Unsound new material (half written, a key of
 * another certificate, an expired certificate) is refused with one warning per distinct problem,
 * and the material in use stays. Fresh contexts also mean fresh session caches, so no connection
 * resumes a session of the old material.
 *
 * <p>Thread-safe: {@link #server()} and {@link #client()} are called from I/O threads, the reload
 * from one scheduled task.
 */
final class TlsMaterial {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private record Contexts(SslContext server, SslContext client, TlsContexts.Material material) {}

  private final NettyTransportConfig.Tls tls;
  private final NodeId local;
  private final TransportCounters counters;
  private final Clock clock;
  private volatile Contexts current;
  /** The last problem reported, so that a problem that persists is logged once; guarded by this. */
  private String lastProblem;

  private TlsMaterial(NettyTransportConfig.Tls tls, NodeId local, TransportCounters counters, Clock clock,
      Contexts first) {
    this.tls = tls;
    this.local = local;
    this.counters = counters;
    this.clock = clock;
    this.current = first;
  }

  /**
   * The material in {@code tls}'s files now.
   *
   * @throws IllegalStateException naming the problem if the material cannot be read or is unsound
   */
  static TlsMaterial load(NettyTransportConfig.Tls tls, NodeId local, TransportCounters counters, Clock clock) {
    try {
      return new TlsMaterial(tls, local, counters, clock, build(tls, TlsContexts.readFiles(tls), clock));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot load TLS material of " + local + ": " + e.getMessage(), e);
    }
  }

  SslContext server() {
    return current.server();
  }

  SslContext client() {
    return current.client();
  }

  /** Reads the files again and switches to their material if it changed and is sound. Never throws. */
  synchronized void reloadIfChanged() {
    Contexts fresh;
    try {
      TlsContexts.PemFiles files = TlsContexts.readFiles(tls);
      if (Arrays.equals(files.fingerprint(), current.material().fingerprint())) {
        lastProblem = null;
        return;
      }
      fresh = build(tls, files, clock);
    } catch (IOException | RuntimeException e) {
      refuse(e instanceof IllegalArgumentException ? e.getMessage() : e.toString());
      return;
    }
    current = fresh;
    lastProblem = null;
    counters.tlsReloads.increment();
    log.info("{}: reloaded TLS material for new connections: certificate {} valid until {}", local,
        fresh.material().certificate().getSubjectX500Principal().getName(),
        fresh.material().certificate().getNotAfter().toInstant());
  }

  private void refuse(String problem) {
    if (problem.equals(lastProblem)) {
      return;
    }
    lastProblem = problem;
    counters.tlsReloadFailures.increment();
    log.warn("{}: refusing the new TLS material, new connections keep using the certificate valid until {}: {}",
        local, current.material().certificate().getNotAfter().toInstant(), problem);
  }

  private static Contexts build(NettyTransportConfig.Tls tls, TlsContexts.PemFiles files, Clock clock) {
    TlsContexts.Material material = TlsContexts.parse(tls, files, clock.instant());
    try {
      return new Contexts(TlsContexts.server(material), TlsContexts.client(material), material);
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build TLS contexts: " + e.getMessage(), e);
    }
  }
}
