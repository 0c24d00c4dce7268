package dev.pontoon.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo tells the story the specification's examples and edge cases ask for, scene by scene,
 * and succeeds.
 *
 * <p>The demo runs with the tick it ships with ({@link DemoOptions#TICK}, 100 ms: heartbeats every
 * 300 ms, election timeouts of 1 to 3 s), not a shorter one to save time: the scenes and the
 * indices the assertions pin (the no-op at 1, "data1" at 2 in the no-op's term, ...) hold only if
 * no election happens besides those the demo causes. With 40 ms ticks a follower campaigned after
 * as little as 400 ms without a heartbeat, a stall a loaded CI machine easily causes.
 */
class TeachingDemoTest {

  private static String run(int nodes) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    TeachingDemo demo = new TeachingDemo(new PrintStream(buffer, true, StandardCharsets.UTF_8),
        new DemoOptions(nodes, null, DemoOptions.TICK));
    boolean ok;
    try {
      ok = demo.run();
    } finally {
      demo.stopAll();
    }
    String timeline = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(ok, timeline);
    return timeline;
  }

  private static void assertTells(String timeline, String... regexes) {
    for (String regex : regexes) {
      assertTrue(timeline.matches("(?s).*" + regex + ".*"), "'" + regex + "' in\n" + timeline);
    }
  }

  /**
   * Example 1: three nodes N1-N3 start as followers at term 0; the first candidate moves to term 1
   * and a leader is elected (of term 1, or a later one after a split vote).
   */
  @Test
  void example1ThreeNodesStartAtTermZeroAndElectALeader() {
    String timeline = run(3);
    assertTells(timeline,
        "== Example 1: electing a leader ==",
        "\\[N1, N2, N3\\] start as followers in term 0, with empty logs",
        "N\\d becomes a candidate: it moves to term 1, votes for itself",
        "N\\d votes for N\\d in term \\d+",
        "N\\d has the votes of a majority: it is the leader of term \\d+",
        "N\\d is the leader of term \\d+, and all 3 nodes know it");
  }

  /**
   * Example 2: the leader's no-op, heartbeats, the AppendEntries carrying "data1", each follower
   * appending and acknowledging it, commit and apply; then failover with the new leader's no-op.
   */
  @Test
  void example2NarratesHeartbeatsAppendEntriesAcknowledgementsAndTheNewLeadersNoOp() {
    String timeline = run(5);
    assertTells(timeline,
        "first appends a no-op entry of its own term \\(index 1\\)",
        "N\\d -> N\\d: heartbeat \\(term \\d+, prevLogIndex \\d, prevLogTerm \\d+, leaderCommit \\d\\)",
        "N\\d -> N\\d: AppendEntries\\(term (\\d+), prevLogIndex 1, prevLogTerm \\1, entries \\[2:t\\1 \"data1\"\\], "
            + "leaderCommit \\d\\)",
        "N\\d appends the entry and acknowledges N\\d \\(success, matchIndex 2\\)",
        "\"data1\" is committed at index 2",
        "\"data1\" is applied on all 5 nodes",
        "killing the leader",
        "first appends a no-op entry of its own term \\(index 3\\)",
        "N\\d is the new leader, of term \\d");
  }

  /**
   * The edge cases: a split brain (the old leader keeps its role in the minority while the
   * majority elects a new one; its "lost" entry never commits) and the conflicting logs the new
   * leader repairs once the partition heals.
   */
  @Test
  void splitBrainAndTheRepairOfConflictingLogs() {
    String timeline = run(5);
    assertTells(timeline,
        "the network splits in two: \\[N\\d, N\\d\\] \\| \\[N\\d, N\\d, N\\d\\]",
        "N\\d -> N\\d: AppendEntries\\(term \\d+, prevLogIndex \\d+, prevLogTerm \\d+, entries \\[\\d+:t\\d+ \"lost\"\\]",
        "two nodes are leaders now: N\\d of term \\d+ in the minority and N\\d of term \\d+ in the majority",
        "N\\d holds \\[\\d+:t\\d+ \"lost\"\\] where N\\d sends \\[\\d+:t\\d+ no-op\\]: the same index with another term "
            + "is a conflict. N\\d will delete that entry and all that follow it",
        "N\\d deletes its conflicting entries, appends (the entry|the \\d+ entries) and acknowledges",
        "the client of \"lost\" hears from N\\d: .*It did not commit",
        "the log is the same on all 5 nodes");
    String finalLogs = timeline.substring(timeline.lastIndexOf("== The partition heals"));
    assertTrue(!finalLogs.matches("(?s).*log \\[[^\\n]*\"lost\".*"), "\"lost\" was overwritten everywhere:\n" + finalLogs);
  }

  @Test
  void nodeCountsOutside3To5AreRefused() {
    assertEquals(5, DemoOptions.parse(List.of()).nodes());
    assertEquals(3, DemoOptions.parse(List.of("--nodes", "3")).nodes());
    assertEquals(Path.of("n.log"), DemoOptions.parse(List.of("--log", "n.log")).logFile());
    assertEquals("--nodes must be between 3 and 5 (inclusive), not 6",
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(List.of("--nodes", "6"))).getMessage());
    assertEquals("--nodes must be between 3 and 5 (inclusive), not 'x'",
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(List.of("--nodes", "x"))).getMessage());
    assertEquals("unknown flag '--fast'",
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(List.of("--fast", "1"))).getMessage());
  }
}
