package dev.pontoon.examples.cluster;

import dev.pontoon.examples.httptransport.BearerToken;
import dev.pontoon.examples.kv.AdminGuard;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS, Raft secret and admin flags of {@code pontoon-kv node}, checked together.
 *
 * <p>With {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca} (all three or none), the
 * Raft port runs mutual TLS (each certificate must name its node id) and the HTTP API runs HTTPS,
 * asking clients for an optional certificate from the same CA; {@code GET /cluster} asks the other
 * members over HTTPS, trusting that CA. The admin endpoints are guarded by
 * a bearer token ({@code --admin-token-file}), client certificates ({@code --admin-client-cert}),
 * or both; a node whose HTTP address is not loopback refuses to start with unguarded admin
 * endpoints unless told {@code --insecure-admin}.
 *
 * <p>Raft peers are authenticated by mutual TLS (netty) or by a cluster secret
 * ({@code --raft-secret-file}): the Netty transport's HMAC handshake, or a bearer header on every
 * {@code /raft/*} request of the http transport. Without either, anyone who reaches the Raft
 * address can send Raft messages (member ids are public in {@code /status}), so a node whose Raft
 * address is not loopback refuses to start unless told {@code --insecure-raft}.
 *
 * @param tlsCertificate this node's certificate chain (PEM), or null
 * @param tlsKey its private key, unencrypted PKCS#8 (PEM), or null
 * @param tlsCa the CA certificates peers and clients must chain to (PEM), or null
 * @param adminTokenFile the file holding the admin bearer token, or null
 * @param adminClientCertificate whether admin requests need a client certificate from the CA
 * @param insecureAdmin whether unguarded admin endpoints may face a non-loopback address
 * @param raftSecretFile the file holding the cluster secret Raft peers must prove, or null
 * @param insecureRaft whether an unauthenticated Raft address may be other than loopback
 */
record NodeSecurity(Path tlsCertificate, Path tlsKey, Path tlsCa, Path adminTokenFile, boolean adminClientCertificate,
    boolean insecureAdmin, Path raftSecretFile, boolean insecureRaft) {
  /** Plain TCP and HTTP, unguarded admin endpoints, no Raft secret: only for loopback addresses. */
  static final NodeSecurity NONE = new NodeSecurity(null, null, null, null, false, false);
  /**
   * The fewest characters a Raft secret may have: what the Netty transport's handshake needs, so
   * that one file serves either transport.
   */
  static final int MIN_RAFT_SECRET_LENGTH = 32;

  /** Without a Raft secret, and without {@code --insecure-raft}. */
  NodeSecurity(Path tlsCertificate, Path tlsKey, Path tlsCa, Path adminTokenFile, boolean adminClientCertificate,
      boolean insecureAdmin) {
    this(tlsCertificate, tlsKey, tlsCa, adminTokenFile, adminClientCertificate, insecureAdmin, null, false);
  }

  NodeSecurity {
    int given = (tlsCertificate != null ? 1 : 0) + (tlsKey != null ? 1 : 0) + (tlsCa != null ? 1 : 0);
    if (given != 0 && given != 3) {
      throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together; missing "
          + (tlsCertificate == null ? "--tls-cert" : tlsKey == null ? "--tls-key" : "--tls-ca"));
    }
    if (adminClientCertificate && given == 0) {
      throw new IllegalArgumentException("--admin-client-cert needs --tls-cert, --tls-key and --tls-ca");
    }
  }

  /** Whether the Raft port and the HTTP API use TLS. */
  boolean tls() {
    return tlsCertificate != null;
  }

  /** What the admin endpoints require. */
  AdminGuard adminGuard() {
    if (adminTokenFile == null && !adminClientCertificate) {
      return AdminGuard.unguarded();
    }
    try {
      return AdminGuard.of(adminTokenFile, adminClientCertificate);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --admin-token-file " + adminTokenFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The admin bearer token, for this node's own admin requests (a {@code --join}), or null without
   * a token file.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  String adminToken() {
    if (adminTokenFile == null) {
      return null;
    }
    try {
      return java.nio.file.Files.readString(adminTokenFile).strip();
    } catch (java.io.IOException e) {
      throw new UncheckedIOException("cannot read --admin-token-file " + adminTokenFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The cluster secret of {@code --raft-secret-file}, or null without one.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if it holds fewer than {@value #MIN_RAFT_SECRET_LENGTH}
   *     characters
   */
  BearerToken raftSecret() {
    if (raftSecretFile == null) {
      return null;
    }
    try {
      return BearerToken.read(raftSecretFile, "the Raft secret", MIN_RAFT_SECRET_LENGTH);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --raft-secret-file " + raftSecretFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses unauthenticated Raft messages on an address other hosts can reach: a non-loopback
   * {@code raft} address needs TLS or a Raft secret, or {@code --insecure-raft}.
   *
   * @param sharedPort whether {@code raft} is the HTTP address serving {@code /raft/*} (the http
   *     transport, which has no TLS)
   * @throws IllegalArgumentException naming the address and the flags that fix it
   */
  void checkRaftExposure(InetSocketAddress raft, boolean sharedPort) {
    if (insecureRaft || raftSecretFile != null || tls() || isLoopback(raft)) {
      return;
    }
    String where = sharedPort ? "--http " + raft.getHostString() + ":" + raft.getPort()
        + " serves /raft/* (--transport http) and" : "--raft " + raft.getHostString() + ":" + raft.getPort();
    throw new IllegalArgumentException(where + " is not a loopback address, and Raft messages (which change the log,"
        + " the term and the membership) would be taken from anyone who reaches it: authenticate the peers with"
        + " --raft-secret-file FILE" + (sharedPort ? "" : " or --tls-cert, --tls-key and --tls-ca")
        + ", or accept the risk with --insecure-raft");
  }

  /**
   * Refuses unguarded admin endpoints on an HTTP address other clients can reach.
   *
   * @throws IllegalArgumentException naming the address and the flags that fix it
   */
  void checkAdminExposure(InetSocketAddress http) {
    if (insecureAdmin || adminTokenFile != null || adminClientCertificate) {
      return;
    }
    if (!isLoopback(http)) {
      throw new IllegalArgumentException("--http " + http.getHostString() + ":" + http.getPort()
          + " is not a loopback address, and the admin endpoints (/admin/...) would be open to anyone who reaches it:"
          + " guard them with --admin-token-file FILE or --admin-client-cert, or accept the risk with --insecure-admin");
    }
  }

  /** Whether {@code address} is a loopback address (a wildcard, or a host that does not resolve, is not). */
  private static boolean isLoopback(InetSocketAddress address) {
    InetAddress resolved = address.isUnresolved()
        ? new InetSocketAddress(address.getHostString(), address.getPort()).getAddress() : address.getAddress();
    return resolved != null && resolved.isLoopbackAddress();
  }

  /**
   * The client side of {@code GET /cluster}'s fan-out to the other members' HTTPS APIs: trusts the
   * CAs in {@code --tls-ca}, presents no certificate ({@code /status} needs none).
   */
  SSLContext peerHttpTls() {
    try (InputStream in = Files.newInputStream(tlsCa)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int n = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + n++, certificate);
      }
      if (n == 0) {
        throw new IllegalStateException("no certificate in " + tlsCa);
      }
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --tls-ca " + tlsCa + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the CA certificates in " + tlsCa + ": " + e.getMessage(), e);
    }
  }

  /** The server side of HTTPS: client certificates from the CA are asked for, and required only for admin requests. */
  SslContext httpTls() {
    try {
      return SslContextBuilder.forServer(tlsCertificate.toFile(), tlsKey.toFile()).trustManager(tlsCa.toFile())
          .clientAuth(ClientAuth.OPTIONAL).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot load the HTTPS certificate " + tlsCertificate + " and key " + tlsKey
          + ": " + e.getMessage(), e);
    }
  }
}
