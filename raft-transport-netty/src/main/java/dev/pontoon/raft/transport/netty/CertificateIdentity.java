package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Checks that the certificate a TLS peer presented names the node id it claims in its {@link
 * Hello}: as the subject's common name (CN) or as a DNS subject alternative name.
 */
final class CertificateIdentity {
  private static final int SAN_DNS_NAME = 2;

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
      return names(certificate, claimed.value()) ? null
          : "certificate of " + certificate.getSubjectX500Principal().getName() + " does not name " + claimed;
    } catch (SSLPeerUnverifiedException e) {
      return "peer claiming " + claimed + " is not verified: " + e.getMessage();
    }
  }

  private static boolean names(X509Certificate certificate, String id) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN") && id.equals(String.valueOf(rdn.getValue()))) {
          return true;
        }
      }
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> name : alternatives) {
          if (Integer.valueOf(SAN_DNS_NAME).equals(name.get(0)) && id.equals(name.get(1))) {
            return true;
          }
        }
      }
      return false;
    } catch (InvalidNameException | CertificateParsingException e) {
      return false;
    }
  }
}
