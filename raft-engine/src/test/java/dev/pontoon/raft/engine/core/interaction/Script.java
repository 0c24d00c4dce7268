package dev.pontoon.raft.engine.core.interaction;

import java.util.ArrayList;
import java.util.List;

/**
 * A data-driven script: cases separated by blank lines, each a command line, a {@code ----}
 * line and the expected output (no blank lines). Lines starting with {@code #} between cases
 * are comments and survive a rewrite.
 */
final class Script {

  /** One command and what it must print. {@code preamble} holds the comment lines before it. */
  record Case(List<String> preamble, String command, String expected, int line) {}

  private Script() {}

  static List<Case> parse(String text) {
    List<Case> cases = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    List<String> preamble = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        if (line.startsWith("#")) {
          preamble.add(line);
        }
        i++;
        continue;
      }
      int commandLine = i + 1;
      if (i + 1 >= lines.length || !lines[i + 1].strip().equals("----")) {
        throw new IllegalArgumentException("line " + commandLine + ": expected '----' after command '" + line + "'");
      }
      i += 2;
      StringBuilder expected = new StringBuilder();
      while (i < lines.length && !lines[i].isBlank()) {
        expected.append(lines[i].stripTrailing()).append('\n');
        i++;
      }
      cases.add(new Case(List.copyOf(preamble), line, expected.toString(), commandLine));
      preamble.clear();
    }
    return cases;
  }

  /** The script text with {@code outputs} in place of the expected outputs. */
  static String render(List<Case> cases, List<String> outputs) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < cases.size(); k++) {
      Case c = cases.get(k);
      if (k > 0) {
        out.append('\n');
      }
      c.preamble().forEach(p -> out.append(p).append('\n'));
      out.append(c.command()).append('\n').append("----\n").append(outputs.get(k));
    }
    return out.toString();
  }
}
