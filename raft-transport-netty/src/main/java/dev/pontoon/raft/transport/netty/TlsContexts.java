package dev.pontoon.raft.transport.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Reads and checks TLS material from PEM files, and builds the server and client sides of mutual
 * TLS from it with the JDK provider. The server requires a client certificate; both sides accept
 * only chains to the trusted certificates. The client side verifies the server's host name for
 * peers configured by host name ({@link #verifyHostName}); node ids are checked after the TLS
 * handshake by {@link CertificateIdentity}. Stateless.
 */
final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS"};

  private TlsContexts() {}

  /**
   * The material in the files of {@code tls}, checked.
   *
   * @param chain this node's certificate first
   * @param fingerprint SHA-256 over the three files' bytes: equal fingerprints, equal material
   */
  record Material(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted, byte[] fingerprint) {
    /** This node's certificate. */
    X509Certificate certificate() {
      return chain.get(0);
    }
  }

  /** The bytes of the three files, read once, and their fingerprint. */
  record PemFiles(byte[] chain, byte[] key, byte[] trusted, byte[] fingerprint) {}

  /** Reads the three files of {@code tls}. */
  static PemFiles readFiles(NettyTransportConfig.Tls tls) throws IOException {
    byte[] chain = Files.readAllBytes(tls.certificateChain());
    byte[] key = Files.readAllBytes(tls.privateKey());
    byte[] trusted = Files.readAllBytes(tls.trustedCertificates());
    return new PemFiles(chain, key, trusted, fingerprintOf(chain, key, trusted));
  }

  /**
   * Parses and checks {@code files} of {@code tls}: the chain and the trusted certificates parse,
   * the key is unencrypted PKCS#8 and belongs to the chain's first certificate, and that
   * certificate is within its validity period at {@code now}.
   *
   * @throws IllegalArgumentException naming what is wrong with the material
   */
  static Material parse(NettyTransportConfig.Tls tls, PemFiles files, Instant now) {
    byte[] fingerprint = files.fingerprint();
    List<X509Certificate> chain = certificates(files.chain(), "certificateChain " + tls.certificateChain());
    List<X509Certificate> trusted = certificates(files.trusted(), "trustedCertificates " + tls.trustedCertificates());
    PrivateKey key = privateKey(files.key(), "privateKey " + tls.privateKey());
    X509Certificate certificate = chain.get(0);
    if (now.isBefore(certificate.getNotBefore().toInstant()) || now.isAfter(certificate.getNotAfter().toInstant())) {
      throw new IllegalArgumentException("the certificate of " + certificate.getSubjectX500Principal().getName()
          + " in " + tls.certificateChain() + (now.isBefore(certificate.getNotBefore().toInstant())
          ? " is not valid yet" : " has expired") + " (valid from " + certificate.getNotBefore().toInstant() + " to "
          + certificate.getNotAfter().toInstant() + ")");
    }
    if (!keyMatches(key, certificate)) {
      throw new IllegalArgumentException("the private key in " + tls.privateKey()
          + " does not belong to the certificate in " + tls.certificateChain());
    }
    return new Material(chain, key, trusted, fingerprint);
  }

  static SslContext server(Material material) throws SSLException {
    return SslContextBuilder.forServer(material.key(), material.chain())
        .trustManager(material.trusted())
        .clientAuth(ClientAuth.REQUIRE)
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOLS)
        .build();
  }

  /** The client side; host names are verified per connection, see {@link #clientHandler}. */
  static SslContext client(Material material) throws SSLException {
    return SslContextBuilder.forClient()
        .keyManager(material.key(), material.chain())
        .trustManager(material.trusted())
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
  static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, InetSocketAddress remote,
      boolean skipHostNameVerification) {
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

  private static byte[] fingerprintOf(byte[]... files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] content : files) {
        digest.update(java.nio.ByteBuffer.allocate(4).putInt(content.length).array());
        digest.update(content);
      }
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static List<X509Certificate> certificates(byte[] pem, String what) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) c);
      }
    } catch (CertificateException | ClassCastException e) {
      throw new IllegalArgumentException(what + " does not hold PEM X.509 certificates: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(what + " holds no certificate");
    }
    return certificates;
  }

  private static PrivateKey privateKey(byte[] pem, String what) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(what + " holds no unencrypted PKCS#8 key (" + begin + ")");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
    }
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm.
      }
    }
    throw new IllegalArgumentException(what + " holds a key of none of the algorithms " + List.of(KEY_ALGORITHMS));
  }

  /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
  private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return true; // no way to check here; a mismatch then shows in the TLS handshake
    }
    try {
      byte[] probe = "pontoon key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
