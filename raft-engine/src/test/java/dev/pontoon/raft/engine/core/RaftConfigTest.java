package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The core's configuration: its defaults, its copies, and the rules its constructor enforces. */
class RaftConfigTest {

  private static void assertRejected(String message, Executable build) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
  }

  @Test
  void defaultsBoundCommittedEntriesAtEightMibPerReadyAndSixtyFourMibApplying() {
    RaftConfig config = RaftConfig.defaults();

    assertEquals(8L << 20, config.maxCommittedBytesPerReady());
    assertEquals(64L << 20, config.maxApplyingBytes());
  }

  @Test
  void copiesChangeOnlyTheirOwnSetting() {
    RaftConfig config = RaftConfig.defaults().withMaxCommittedBytesPerReady(4096).withMaxApplyingBytes(8192);

    assertEquals(4096, config.maxCommittedBytesPerReady());
    assertEquals(8192, config.maxApplyingBytes());
    assertEquals(RaftConfig.defaults(), config.withMaxApplyingBytes(64L << 20).withMaxCommittedBytesPerReady(8L << 20));
    assertEquals(4096, config.withPreVote(false).withMaxBytesPerAppend(1).maxCommittedBytesPerReady());
  }

  @Test
  void byteBoundsOnCommittedEntriesMustBePositive() {
    assertRejected("maxCommittedBytesPerReady (0) must be positive",
        () -> RaftConfig.defaults().withMaxCommittedBytesPerReady(0));
    assertRejected("maxApplyingBytes (-1) must be positive", () -> RaftConfig.defaults().withMaxApplyingBytes(-1));
  }

  /** One Ready may not hand out more than the whole applying budget allows. */
  @Test
  void maxApplyingBytesMustBeAtLeastMaxCommittedBytesPerReady() {
    assertRejected("maxApplyingBytes (1024) must be at least maxCommittedBytesPerReady (8388608)",
        () -> RaftConfig.defaults().withMaxApplyingBytes(1024));
    assertRejected("maxApplyingBytes (67108864) must be at least maxCommittedBytesPerReady (134217728)",
        () -> RaftConfig.defaults().withMaxCommittedBytesPerReady(128L << 20));
  }

  @Test
  void existingRulesStillNameTheirValues() {
    assertRejected("electionTimeoutMinTicks (2) must be greater than heartbeatTicks (2)",
        () -> RaftConfig.defaults().withElectionTimeoutTicks(2, 3));
    assertRejected("maxBytesPerAppend (0) must be positive", () -> RaftConfig.defaults().withMaxBytesPerAppend(0));
  }
}
