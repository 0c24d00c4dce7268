package dev.pontoon.examples.container;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/**
 * The local KV node image for the container tests: checks that a Docker engine answers, then builds
 * the image with {@code scripts/docker/build-image.sh} from this test JVM's own classpath (so a plain
 * {@code mvn install} works: surefire runs before {@code package}, when no examples jar exists yet).
 *
 * <p>No reachable engine (including Testcontainers' environment settings missing), or an image that
 * cannot be built, aborts the calling test with one message naming the reason and what to run;
 * otherwise the image name is returned. Blocking (a build takes seconds); call it once per test class.
 */
final class LocalNodeImage {

  static final String NAME = "pontoon/kv-node:local";
  private static final String START_HINT = "; run scripts/docker/start-docker.sh";
  private static final long BUILD_TIMEOUT_SECONDS = 300;

  private LocalNodeImage() {}

  /**
   * Returns the image's name pinned to its content ({@code pontoon/kv-node:local-<hash>}), built or
   * reused; aborts the calling test when Docker or the image is missing.
   */
  static String buildOrAbort(String mainClass) {
    requireDockerEngine();
    try {
      Class.forName(mainClass, false, LocalNodeImage.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      abort("The KV node image is missing: its main class " + mainClass + " is not on the classpath");
    }
    Path script = repositoryRoot().resolve("scripts/docker/build-image.sh");
    if (!Files.isRegularFile(script)) {
      abort("The KV node image is missing and cannot be built: no " + script);
    }
    List<String> command = List.of("bash", script.toString(), "--tag", NAME, "--main", mainClass,
        "--classpath", runtimeClasspath(), "--quiet");
    Result build = run(command);
    if (build.exitCode != 0) {
      abort("The KV node image is missing: build-image.sh failed: " + build.lastLine() + START_HINT);
    }
    // The name pinned to this content: another run on this machine may move NAME meanwhile.
    String pinned = build.lastLine();
    if (!pinned.startsWith(NAME)) {
      throw new IllegalStateException("build-image.sh printed '" + pinned + "' instead of an image name");
    }
    return pinned;
  }

  private static void requireDockerEngine() {
    String dockerHost = System.getenv("DOCKER_HOST");
    boolean socketPresent = Files.exists(Path.of("/var/run/docker.sock"));
    if (dockerHost == null && !socketPresent) {
      abort("Docker is not available: no /var/run/docker.sock and DOCKER_HOST is unset" + START_HINT);
    }
    // Testcontainers 2.0 reads both settings only from the environment (the examples pom sets them for
    // surefire). Ryuk, its reaper, is an image that would have to be pulled: it must be off. The host
    // override stops it from inspecting the default bridge network, which this daemon does not have
    // (containers here use host networking on loopback).
    List<String> missing = new ArrayList<>();
    if (!Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      missing.add("TESTCONTAINERS_RYUK_DISABLED=true");
    }
    if (System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
      missing.add("TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1");
    }
    if (!missing.isEmpty()) {
      abort("Docker is not usable by Testcontainers here: set " + String.join(" and ", missing)
          + " in the test JVM's environment (surefire environmentVariables): no image can be pulled"
          + " (Ryuk) and the daemon started by scripts/docker/start-docker.sh has no bridge network");
    }
    try {
      DockerClientFactory.instance().client();
    } catch (RuntimeException e) {
      abort("Docker is not available: " + firstLine(e.getMessage()) + START_HINT);
    }
  }

  /** The test JVM's classpath minus test classes: the project's main classes and runtime jars. */
  private static String runtimeClasspath() {
    String classpath = System.getProperty("java.class.path", "");
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .filter(entry -> !Path.of(entry).endsWith("test-classes"))
        .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("surefire"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The repository root: surefire runs in the module directory, an IDE may run at the top. */
  static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.isDirectory(candidate.resolve("scripts/docker"))) {
        return candidate;
      }
    }
    return dir;
  }

  private static Result run(List<String> command) {
    try {
      Path output = Files.createTempFile("pontoon-build-image", ".log");
      try {
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return new Result(-1, List.of("timed out after " + BUILD_TIMEOUT_SECONDS + " s"));
        }
        return new Result(process.exitValue(), Files.readAllLines(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      return new Result(-1, List.of("could not run " + command.get(1) + ": " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, List.of("interrupted"));
    }
  }

  private static String firstLine(String message) {
    return message == null ? "unknown reason" : message.lines().findFirst().orElse(message);
  }

  private record Result(int exitCode, List<String> output) {
    String lastLine() {
      List<String> lines = new ArrayList<>(output);
      lines.removeIf(String::isBlank);
      return lines.isEmpty() ? "exit code " + exitCode : lines.get(lines.size() - 1);
    }
  }
}
