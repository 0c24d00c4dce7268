package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/linearizability-timeline.html} is the timeline of a real failing run: the production
 * runtime with reads served from local state (the {@link Sabotage#LOCAL_READS} sabotage), where a
 * lagging node answers a read with a value the cluster had already overwritten. The committed page
 * must be one such timeline; {@code -Dpontoon.rewrite=true} writes it again from the seed below
 * (then take a new screenshot, as the README says).
 */
class TimelineDocumentTest {
  static final long SEED = 26;
  private static final Path DOCUMENT = Path.of("..", "docs", "linearizability-timeline.html");

  @Test
  void theDocumentedTimelineShowsAStaleLocalReadCaught() throws IOException {
    SimulationResult r = new Simulation(SEED, 3, Sabotage.LOCAL_READS, Simulation.Mode.RUNTIME).run(10_000);
    assertTrue(r.violations().stream().anyMatch(v -> v instanceof Violation.NotLinearizable), r.describe());
    String html = r.timelineHtml();
    if (Boolean.getBoolean("pontoon.rewrite")) {
      Files.writeString(DOCUMENT, html, StandardCharsets.UTF_8);
    }
    String committed = Files.readString(DOCUMENT, StandardCharsets.UTF_8);
    assertTrue(committed.contains("<p class=\"verdict bad\">not linearizable</p>")
        && committed.contains("<div class=\"failline\""), "the committed page shows a failure");
    assertFalse(committed.contains("<script"));
  }
}
