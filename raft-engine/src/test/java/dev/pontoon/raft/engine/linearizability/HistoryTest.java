package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The recorder times invocations and responses from its clock, and an operation ends at most once. */
class HistoryTest {
  private final AtomicLong now = new AtomicLong();
  private final History<String, String> history = new History<>(now::get);

  @Test
  void invocationAndCompletionAreTimedByTheClock() {
    now.set(10);
    long a = history.invoke(1, "read");
    now.set(25);
    history.complete(a, "v");
    assertEquals(List.of(Operation.completed(0, 1, "read", "v", 10, 25)), history.operations());
  }

  @Test
  void anOperationNeverAnsweredStaysUnknownAndAFailedOneKeepsItsTime() {
    long a = history.invoke(1, "write");
    now.set(3);
    long b = history.invoke(2, "write");
    now.set(7);
    history.fail(b);
    assertEquals(Operation.unknown(a, 1, "write", 0), history.get(a));
    assertEquals(Operation.failed(b, 2, "write", 3, 7), history.get(b));
  }

  @Test
  void anOperationEndsOnlyOnce() {
    long id = history.invoke(0, "write");
    history.complete(id, "OK");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> history.fail(id));
    assertEquals("operation 0 already ended: " + history.get(id), e.getMessage());
  }

  @Test
  void operationsIsACopy() {
    history.invoke(0, "a");
    List<Operation<String, String>> before = history.operations();
    history.invoke(0, "b");
    assertEquals(1, before.size());
    assertEquals(2, history.size());
  }

  @Test
  void clientsOnManyThreadsGetDistinctOperations() {
    History<Integer, Integer> shared = new History<>();
    CompletableFuture<?>[] clients = IntStream.range(0, 8).mapToObj(c -> CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 1_000; i++) {
        shared.complete(shared.invoke(c, i), i);
      }
    })).toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(clients).join();
    List<Operation<Integer, Integer>> ops = shared.operations();
    assertEquals(8_000, ops.size());
    for (int i = 0; i < ops.size(); i++) {
      assertEquals(i, ops.get(i).id());
      assertTrue(ops.get(i).isCompleted() && ops.get(i).completedAt() >= ops.get(i).invokedAt());
    }
  }
}
