package dev.pontoon.examples.cluster;

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
 * The TLS and admin flags of {@code pontoon-kv node}, checked together.
 *
 * <p>With {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca} (all three or none), the
 * Raft port runs mutual TLS (each certificate must name its node id) and the HTTP API runs HTTPS,
 * asking clients for an optional certificate from the same CA; {@code GET /cluster} asks the other
 * members over HTTPS, trusting that CA. The admin endpoints are guarded by
 * a bearer token ({@code --admin-token-file}), client certificates ({@code --admin-client-cert}),
 * or both; a node whose HTTP address is not loopback refuses to start with unguarded admin
 * endpoints unless told {@code --insecure-admin}.
 *
 * @param tlsCertificate this node's certificate chain (PEM), or null
 * @param tlsKey its private key, unencrypted PKCS#8 (PEM), or null
 * @param tlsCa the CA certificates peers and clients must chain to (PEM), or null
 * @param adminTokenFile the file holding the admin bearer token, or null
 * @param adminClientCertificate whether admin requests need a client certificate from the CA
 * @param insecureAdmin whether unguarded admin endpoints may face a non-loopback address
 */
record NodeSecurity(Path tlsCertificate, Path tlsKey, Path tlsCa, Path adminTokenFile, boolean adminClientCertificate,
    boolean insecureAdmin) {
  /** Plain TCP and HTTP, unguarded admin endpoints: only for loopback addresses. */
  static final NodeSecurity NONE = new NodeSecurity(null, null, null, null, false, false);

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
   * Refuses unguarded admin endpoints on an HTTP address other clients can reach.
   *
   * @throws IllegalArgumentException naming the address and the flags that fix it
   */
  void checkAdminExposure(InetSocketAddress http) {
    if (insecureAdmin || adminTokenFile != null || adminClientCertificate) {
      return;
    }
    InetAddress address = http.isUnresolved() ? new InetSocketAddress(http.getHostString(), http.getPort()).getAddress()
        : http.getAddress();
    if (address == null || !address.isLoopbackAddress()) {
      throw new IllegalArgumentException("--http " + http.getHostString() + ":" + http.getPort()
          + " is not a loopback address, and the admin endpoints (/admin/...) would be open to anyone who reaches it:"
          + " guard them with --admin-token-file FILE or --admin-client-cert, or accept the risk with --insecure-admin");
    }
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
