package dev.pontoon.examples.container;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The locally built image is self-contained: its jlink'ed runtime starts from the image's own
 * libraries, with nothing pulled. Separates "the image is broken" from "the cluster misbehaves" in
 * {@link KvClusterContainerTest}. Skips like it when Docker or the image is missing.
 */
class KvNodeImageTest {

  @Test
  void imageRuntimeStartsFromItsOwnLibrariesWithoutPullingAnything() {
    String image = LocalNodeImage.buildOrAbort(KvClusterContainerTest.NODE_MAIN);

    try (GenericContainer<?> java = new GenericContainer<>(DockerImageName.parse(image))
        .withNetworkMode("none")
        .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/opt/java/bin/java", "-version"))
        .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
      java.start();

      String output = java.getLogs();
      assertTrue(output.contains("version \"17"), () -> "java -version in the image printed: " + output);
    }
  }
}
