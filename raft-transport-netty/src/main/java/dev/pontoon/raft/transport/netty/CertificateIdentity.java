package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Checks that the certificate a TLS peer presented names the node id it claims in its {@link
 * Hello}: a subject alternative name that is the DNS name {@code <id>} or the URI {@code
 * urn:pontoon:node:<id>}, compared as exact text. The common name is not consulted.
 */
final class CertificateIdentity {
  /** The URI prefix of a node id in a certificate's subject alternative names. */
  static final String URI_PREFIX = "urn:pontoon:node:";
  private static final int SAN_DNS_NAME = 2;
  private static final int SAN_URI = 6;

  private CertificateIdentity() {}

  /** Null when {@code channel}'s TLS peer certificate names {@code claimed}, else the reason it does not. */
  static String mismatch(Channel channel, NodeId claimed) {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls == null) {
      return "no TLS session to check " + claimed + " against";
    }
    try {
      Certificate[] chain = tls.engine().getSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
        return "no X.509 certificate from " + claimed;
      }
      List<String> names = nodeNames(certificate);
      return names.contains(claimed.value()) ? null
          : "the certificate of " + certificate.getSubjectX500Principal().getName() + " names "
              + (names.isEmpty() ? "no node id" : "node ids " + names) + ", not " + claimed
              + " (expected a DNS name " + claimed + " or a URI " + URI_PREFIX + claimed + ")";
    } catch (SSLPeerUnverifiedException e) {
      return "peer claiming " + claimed + " is not verified: " + e.getMessage();
    }
  }

  /** The node ids {@code certificate} names: its DNS names and the ids of its node URIs. */
  static List<String> nodeNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives == null) {
        return names;
      }
      for (List<?> name : alternatives) {
        Object type = name.get(0);
        Object value = name.get(1);
        if (Integer.valueOf(SAN_DNS_NAME).equals(type) && value instanceof String dns) {
          names.add(dns);
        } else if (Integer.valueOf(SAN_URI).equals(type) && value instanceof String uri && uri.startsWith(URI_PREFIX)) {
          names.add(uri.substring(URI_PREFIX.length()));
        }
      }
    } catch (CertificateParsingException e) {
      // An unparsable extension names nobody.
    }
    return names;
  }
}
