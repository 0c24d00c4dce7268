package dev.pontoon.raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.pontoon.raft.NodeId;
import org.junit.jupiter.api.Test;

class HardStateTest {
  private final HardState state = new HardState(4, NodeId.of("n2"), 10);

  @Test
  void commitIndexAtLeastRaisesALowerCommitIndexAndKeepsTermAndVote() {
    assertEquals(new HardState(4, NodeId.of("n2"), 15), state.withCommitIndexAtLeast(15));
  }

  @Test
  void commitIndexAtLeastNeverLowersIt() {
    assertSame(state, state.withCommitIndexAtLeast(10));
    assertSame(state, state.withCommitIndexAtLeast(3));
  }
}
