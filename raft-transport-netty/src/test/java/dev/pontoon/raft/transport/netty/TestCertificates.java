package dev.pontoon.raft.transport.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import java.util.concurrent.atomic.AtomicLong;
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
 * A certificate authority made at test time, issuing node certificates as PEM files: what an
 * operator would produce with their own CA tooling.
 */
final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final Path caFile;

  /** A new CA called {@code name}, writing its files under {@code dir}. */
  TestCertificates(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    this.caKeys = newKeyPair();
    X500Name subject = new X500Name("CN=" + name + " test CA");
    this.caCertificate = sign(subject, caKeys, subject, true, caKeys, new GeneralName[0],
        Instant.now().plus(Duration.ofDays(2)));
    this.caFile = writePem(dir.resolve(name + "-ca.pem"), caCertificate);
  }

  /** The CA certificate, to be trusted. */
  Path trustFile() {
    return caFile;
  }

  /**
   * Certificate chain and PKCS#8 key files of node {@code nodeId}, signed by this CA, valid for a
   * day: the node id as DNS name, and {@code localhost} and {@code 127.0.0.1} for host name checks.
   */
  NodeFiles issue(String nodeId) {
    return issue(nodeId, Instant.now().plus(Duration.ofDays(1)));
  }

  /** Like {@link #issue(String)}, but valid only until {@code notAfter}. */
  NodeFiles issue(String nodeId, Instant notAfter) {
    return issueAs(nodeId, nodeId, notAfter);
  }

  /** Like {@link #issue(String, Instant)}, written to files named after {@code fileTag}. */
  NodeFiles issueAs(String fileTag, String nodeId, Instant notAfter) {
    return issue(fileTag, nodeId, notAfter, dns(nodeId), dns("localhost"), new GeneralName(GeneralName.iPAddress,
        "127.0.0.1"));
  }

  /**
   * Moves {@code fresh}'s certificate chain, then its key, onto {@code installed}'s files, each
   * with an atomic rename, as a careful rotation script does. Between the two moves the installed
   * chain and key do not match.
   */
  static void rotate(NodeFiles fresh, NodeFiles installed) {
    try {
      Files.move(fresh.chain(), installed.chain(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(fresh.key(), installed.key(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first certificate of {@code files}' chain. */
  static X509Certificate certificate(NodeFiles files) {
    try {
      return readCertificates(files.chain()).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate with common name {@code commonName} and exactly the subject alternative names given. */
  NodeFiles issue(String fileTag, String commonName, Instant notAfter, GeneralName... alternativeNames) {
    KeyPair keys = newKeyPair();
    X509Certificate certificate = sign(new X500Name("CN=" + commonName), keys, new X500Name("CN=" + name + " test CA"),
        false, caKeys, alternativeNames, notAfter);
    Path chain = dir.resolve(name + "-" + fileTag + "-chain.pem");
    writePem(chain, certificate, caCertificate);
    Path key = dir.resolve(name + "-" + fileTag + "-key.pem");
    try (Writer out = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new NodeFiles(chain, key, caFile);
  }

  /** A client-side TLS context presenting {@code files}' certificate, trusting their trust file. */
  static SSLContext clientContext(NodeFiles files) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<X509Certificate> chain = readCertificates(files.chain());
      PrivateKey key;
      try (PEMParser parser = new PEMParser(Files.newBufferedReader(files.key()))) {
        key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
      }
      keys.setKeyEntry("node", key, new char[0], chain.toArray(new X509Certificate[0]));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<X509Certificate> anchors = readCertificates(files.trust());
      for (int i = 0; i < anchors.size(); i++) {
        trust.setCertificateEntry("ca" + i, anchors.get(i));
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(Files.newBufferedReader(pem))) {
      for (Object o; (o = parser.readObject()) != null; ) {
        certificates.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
      }
    }
    return certificates;
  }

  static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  /** What a node needs for mutual TLS. */
  record NodeFiles(Path chain, Path key, Path trust) {
    NodeFiles trusting(Path otherTrust) {
      return new NodeFiles(chain, key, otherTrust);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, boolean ca,
      KeyPair issuerKeys, GeneralName[] alternativeNames, Instant notAfter) {
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(notAfter), subject, subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else if (alternativeNames.length > 0) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePem(Path file, X509Certificate... certificates) {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        pem.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
