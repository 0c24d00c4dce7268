package dev.pontoon.raft.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Builds the server and client sides of mutual TLS from PEM files, with the JDK provider. The
 * server requires a client certificate; both sides accept only chains to the trusted
 * certificates. The client side verifies the server's host name for peers configured by host
 * name ({@link #verifyHostName}); node ids are checked after the TLS handshake by {@link
 * CertificateIdentity}.
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

  /** The client side; host names are verified per connection, see {@link #clientHandler}. */
  static SslContext client(NettyTransportConfig.Tls tls) throws SSLException {
    return SslContextBuilder.forClient()
        .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
        .trustManager(tls.trustedCertificates().toFile())
        .endpointIdentificationAlgorithm(null)
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOLS)
        .build();
  }

  /**
   * The TLS handler of a connection to {@code remote}: it sends the host name as SNI and, unless
   * {@code skipHostNameVerification}, verifies the server's certificate against it when {@code
   * remote} was configured by host name rather than by IP address.
   */
  static SslHandler clientHandler(SslContext context, io.netty.buffer.ByteBufAllocator alloc,
      InetSocketAddress remote, boolean skipHostNameVerification) {
    SslHandler handler = context.newHandler(alloc, remote.getHostString(), remote.getPort());
    if (!skipHostNameVerification && verifyHostName(remote)) {
      SSLEngine engine = handler.engine();
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
    return handler;
  }

  /** Whether {@code remote} names a host (checked against the certificate) rather than an IP literal. */
  static boolean verifyHostName(InetSocketAddress remote) {
    String host = remote.getHostString();
    return !NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host);
  }
}
