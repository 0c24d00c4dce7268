package dev.pontoon.examples.httptransport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secret that an HTTP request proves it holds by carrying {@code Authorization: Bearer <secret>}:
 * the cluster secret of the Raft routes ({@code --raft-secret-file}) and the KV API's admin token
 * ({@code --admin-token-file}). Read from a file, without the white space around it (a final
 * newline); compared in constant time ({@link MessageDigest#isEqual}), so the time an answer takes
 * does not tell how much of a guess was right.
 *
 * <p>Immutable and thread-safe; {@link #toString()} does not show the secret.
 */
public final class BearerToken {
  private static final Logger log = LoggerFactory.getLogger(BearerToken.class);
  private static final String BEARER = "Bearer ";
  private final byte[] secret;

  private BearerToken(byte[] secret) {
    this.secret = secret;
  }

  /**
   * The secret in {@code file}, stripped of surrounding white space.
   *
   * @param what how errors name the secret, such as {@code the admin token}
   * @param minLength the fewest characters it may have
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the secret has fewer than {@code minLength} characters,
   *     as in {@code the admin token in FILE has 3 characters; at least 16 are needed}, or a
   *     character other than visible ASCII (a header could never carry it). A file that its group
   *     or every user may read is accepted with a warning
   */
  public static BearerToken read(Path file, String what, int minLength) throws IOException {
    Objects.requireNonNull(file, "file");
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (text.length() < minLength) {
      throw new IllegalArgumentException(what + " in " + file + " has " + text.length() + " characters; at least "
          + minLength + " are needed");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // An HTTP header carries bytes read as ISO-8859-1: a token of other characters could never match.
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(what + " in " + file + " has a character other than visible ASCII at position "
            + (i + 1) + "; an Authorization header can carry only those");
      }
    }
    exposure(file).ifPresent(why -> log.warn("{} in {} {}", what, file, why));
    return new BearerToken(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Why {@code file} is readable by more than its owner (group or others may read it), if it is;
   * empty where it is not, or where the filesystem has no POSIX permissions.
   */
  static Optional<String> exposure(Path file) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return Optional.empty();
    }
    if (!permissions.contains(PosixFilePermission.GROUP_READ) && !permissions.contains(PosixFilePermission.OTHERS_READ)) {
      return Optional.empty();
    }
    return Optional.of("is readable by " + (permissions.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group")
        + " (" + PosixFilePermissions.toString(permissions) + "); make it readable by its owner only (chmod 600)");
  }

  /**
   * Whether {@code authorization}, the value of a request's {@code Authorization} header (null
   * when absent), is {@code Bearer} and this secret.
   */
  public boolean matches(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return false;
    }
    byte[] presented = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(secret, presented);
  }

  /** The value of the {@code Authorization} header that carries this secret. */
  public String authorization() {
    return BEARER + new String(secret, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "BearerToken[hidden]";
  }
}
