package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompactionsTest {

  @Test
  void aCompactionThroughTheLastPossibleIndexIsRefusedWithTheReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Compactions.requireIndexAfter(Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("no index is left for the log to start at"), e.getMessage());
  }

  @Test
  void aCompactionThatLeavesAnIndexAfterItPasses() {
    assertDoesNotThrow(() -> Compactions.requireIndexAfter(Long.MAX_VALUE - 1));
    assertDoesNotThrow(() -> Compactions.requireIndexAfter(0));
  }
}
