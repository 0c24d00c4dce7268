package dev.pontoon.examples.httptransport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules for a secret read from a file: what a header can carry, and who may read the file. */
class BearerTokenTest {
  @TempDir Path dir;

  @Test
  void aSecretWithACharacterOutsideVisibleAsciiIsRefusedSinceNoHeaderCouldMatchIt() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "0123456789abcdef-clé-secrète\n", StandardCharsets.UTF_8);

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> BearerToken.read(file, "the admin token", 16));
    assertTrue(refused.getMessage().contains("visible ASCII at position 20"), refused.getMessage());
  }

  @Test
  void aSecretOfVisibleAsciiIsReadWithoutTheSpaceAroundIt() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "  0123456789abcdef-secret\n", StandardCharsets.UTF_8);

    BearerToken token = BearerToken.read(file, "the admin token", 16);
    assertTrue(token.matches("Bearer 0123456789abcdef-secret"));
    assertFalse(token.matches("Bearer 0123456789abcdef-secreT"));
  }

  @Test
  void aSecretFileOthersMayReadIsNamedAndOneOnlyItsOwnerReadsIsNot() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
    Path file = dir.resolve("token");
    Files.writeString(file, "0123456789abcdef-secret", StandardCharsets.UTF_8);

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(Optional.of("is readable by every user (rw-r--r--); make it readable by its owner only (chmod 600)"),
        BearerToken.exposure(file));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertTrue(BearerToken.exposure(file).orElseThrow().startsWith("is readable by its group"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals(Optional.empty(), BearerToken.exposure(file));
  }
}
