package dev.pontoon.raft.engine.sim.publicapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Test your own state machine" example is {@link AccountSimulationTest}, byte for
 * byte (without its package line), so the example in the README compiles, runs and passes here.
 */
class ReadmeTestKitExampleTest {

  @Test
  void theReadmeExampleIsAccountSimulationTestAndUnderFortyLines() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String start = "<!-- testkit-example:start -->\n```java\n";
    String end = "```\n<!-- testkit-example:end -->";
    int from = readme.indexOf(start);
    int to = readme.indexOf(end);
    assertTrue(from >= 0 && to > from, "the README has no testkit-example block");
    String example = readme.substring(from + start.length(), to);
    String source = Files.readString(
        Path.of("src/test/java/dev/pontoon/raft/engine/sim/publicapi/AccountSimulationTest.java"),
        StandardCharsets.UTF_8);
    assertEquals(source.substring(source.indexOf("\n\n") + 2), example);
    assertTrue(example.lines().count() < 40, example.lines().count() + " lines");
  }
}
