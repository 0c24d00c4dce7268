package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.StorageException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A peer's refused message is dropped and counted every time, and logged at WARN once per peer. */
class MalformedMessagesTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @Test
  void everyDropIsCountedAndOnlyEachPeersFirstIsWarned() {
    AtomicInteger counted = new AtomicInteger();
    MalformedMessages malformed = new MalformedMessages(N1, counted::incrementAndGet);
    IllegalArgumentException bad = new IllegalArgumentException("bad");

    assertTrue(malformed.drop(new TimeoutNow(N2, N1, 1), bad), "n2's first: WARN");
    assertFalse(malformed.drop(new TimeoutNow(N2, N1, 1), bad), "n2's second: DEBUG");
    assertTrue(malformed.drop(new TimeoutNow(N3, N1, 1), bad), "n3's first: WARN");

    assertEquals(3, counted.get());
  }

  @Test
  void onlyBrokenLocalInvariantsAndStorageFailuresAreTheNodesOwn() {
    assertTrue(MalformedMessages.isLocalFailure(new IllegalStateException("two leaders in one term")));
    assertTrue(MalformedMessages.isLocalFailure(new StorageException("disk failed")));
    assertTrue(MalformedMessages.isLocalFailure(new CorruptedLogException("bad checksum")));
    assertFalse(MalformedMessages.isLocalFailure(new IllegalArgumentException("malformed")));
    assertFalse(MalformedMessages.isLocalFailure(new IndexOutOfBoundsException("index 7")));
    assertFalse(MalformedMessages.isLocalFailure(new LogCompactedException(1, 5)));
    assertFalse(MalformedMessages.isLocalFailure(new ArithmeticException("overflow")));
  }
}
