package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made on the spot for {@code pontoon-kv cluster --tls}: a CA and one
 * certificate per node, valid for 30 days, written as PEM files. Each node certificate names the
 * node id (DNS SAN, as the Raft transport requires) and {@code localhost} / {@code 127.0.0.1}
 * (for HTTPS and host name checks). For trying TLS on one machine only: the CA's key is thrown
 * away, so nothing else can ever be issued by it. Not thread-safe.
 */
final class ThrowawayCa {
  private static final Duration VALIDITY = Duration.ofDays(30);

  private final Path dir;
  private final KeyPair caKeys = newKeyPair();
  private final X500Name caName = new X500Name("CN=pontoon-kv throwaway CA");
  private final X509Certificate caCertificate;
  private final SecureRandom random = new SecureRandom();

  /** The files a node is started with. */
  record NodeFiles(Path certificateChain, Path privateKey, Path trustedCertificates) {}

  /** A new CA whose certificate is written to {@code dir/ca.pem}. */
  ThrowawayCa(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.caCertificate = sign(caName, caKeys.getPublic(), true, new GeneralName[0]);
    writePem(caFile(), caCertificate);
  }

  Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Certificate chain {@code dir/<id>-chain.pem} and key {@code dir/<id>-key.pem} of node {@code id}. */
  NodeFiles issue(NodeId id) throws IOException {
    KeyPair keys = newKeyPair();
    X509Certificate certificate = sign(new X500Name("CN=" + id.value()), keys.getPublic(), false, new GeneralName[] {
        new GeneralName(GeneralName.dNSName, id.value()), new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
    Path chain = writePem(dir.resolve(id.value() + "-chain.pem"), certificate, caCertificate);
    Path key = dir.resolve(id.value() + "-key.pem");
    try (Writer out = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    }
    return new NodeFiles(chain, key, caFile());
  }

  private X509Certificate sign(X500Name subject, java.security.PublicKey key, boolean ca, GeneralName[] names) {
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName, new BigInteger(64, random).abs(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC keys are unavailable", e);
    }
  }

  private static Path writePem(Path file, X509Certificate... certificates) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        pem.writeObject(certificate);
      }
    }
    return file;
  }
}
