package dev.pontoon.raft.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * Builds the server and client sides of mutual TLS from PEM files, with the JDK provider. The
 * server requires a client certificate; both sides accept only chains to the trusted
 * certificates. Host names are not verified: peers are identified by the cluster CA and then by
 * the handshake's node id.
 */
final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  static SslContext server(NettyTransportConfig.Tls tls) throws SSLException {
    return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
        .trustManager(tls.trustedCertificates().toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOLS)
        .build();
  }

  static SslContext client(NettyTransportConfig.Tls tls) throws SSLException {
    return SslContextBuilder.forClient()
        .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
        .trustManager(tls.trustedCertificates().toFile())
        .endpointIdentificationAlgorithm(null)
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOLS)
        .build();
  }
}
