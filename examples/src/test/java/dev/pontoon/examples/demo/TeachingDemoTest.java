package dev.pontoon.examples.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo tells the whole story and succeeds: election with votes, replication, failover, consistent logs. */
class TeachingDemoTest {
  @Test
  void timelineShowsVotesReplicationFailoverAndConsistentLogs() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    TeachingDemo demo = new TeachingDemo(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    boolean ok;
    try {
      ok = demo.run();
    } finally {
      demo.stopAll();
    }
    String timeline = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(ok, timeline);
    assertTrue(timeline.contains("asks for votes in term"), timeline);
    assertTrue(timeline.matches("(?s).*n\\d votes for n\\d in term \\d+.*"), timeline);
    assertTrue(timeline.contains("\"data1\" is applied on all 5 nodes"), timeline);
    assertTrue(timeline.contains("killing the leader"), timeline);
    assertTrue(timeline.contains("is the new leader"), timeline);
    assertTrue(timeline.contains("is the same on all 4 survivors"), timeline);
  }
}
