package dev.pontoon.raft.engine.core.interaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Scripted interaction tests in etcd's data-driven style: each file under
 * {@code src/test/resources/interaction} is a sequence of commands with the exact trace they
 * must print. Run with {@code -Dpontoon.rewrite=true} to regenerate the traces, then review the
 * diff.
 */
class InteractionTest {

  private static final Map<String, Command> COMMANDS = Stream.of(new AddNodes(), new Campaign(), new Tick(),
      new Propose(), new ProcessReady(), new DeliverMsgs(), new DropMsgs(), new Stabilize(), new Partition(),
      new Heal(), new Crash(), new Restart(), new Status(), new ReadIndex(), new TransferLeader())
      .collect(Collectors.toMap(Command::name, Function.identity()));

  @TestFactory
  Stream<DynamicTest> scripts() throws IOException, URISyntaxException {
    Path dir = Path.of(InteractionTest.class.getResource("/interaction").toURI());
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no scripts in " + dir);
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  private static void run(Path file) throws IOException {
    List<Script.Case> cases = Script.parse(Files.readString(file, StandardCharsets.UTF_8));
    InteractionEnv env = new InteractionEnv();
    List<String> outputs = new ArrayList<>();
    for (Script.Case c : cases) {
      List<String> words = Arrays.asList(c.command().split("\\s+"));
      Command command = COMMANDS.get(words.get(0));
      if (command == null) {
        throw new IllegalArgumentException(file.getFileName() + ":" + c.line() + ": unknown command " + words.get(0));
      }
      StringBuilder out = new StringBuilder();
      command.run(env, words.subList(1, words.size()), out);
      outputs.add(out.length() == 0 ? "ok\n" : out.toString());
    }
    if (Boolean.getBoolean("pontoon.rewrite")) {
      Path source = Path.of("src/test/resources/interaction").resolve(file.getFileName());
      Files.writeString(source, Script.render(cases, outputs), StandardCharsets.UTF_8);
      return;
    }
    for (int k = 0; k < cases.size(); k++) {
      Script.Case c = cases.get(k);
      assertEquals(c.expected(), outputs.get(k), file.getFileName() + ":" + c.line() + ": " + c.command());
    }
  }
}
