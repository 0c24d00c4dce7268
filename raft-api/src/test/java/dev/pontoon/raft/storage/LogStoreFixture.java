package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store under test and the fixtures of the {@link LogStoreContract}. Extend
 * {@link LogStoreContract}, which runs every test; this class only holds the shared set-up.
 */
public abstract class LogStoreFixture {

  /** The store under test; tests replace it when they reopen. */
  protected LogStore store;

  /** A new, empty store. Called once before each test. */
  protected abstract LogStore newStore();

  /**
   * Whether the store keeps synced writes across {@link #reopen(LogStore)}. Defaults to false,
   * which skips the restart tests.
   */
  protected boolean isDurable() {
    return false;
  }

  /**
   * Closes {@code store} (or models its crash) and returns a store over the same data, as a
   * restarted process would open it. Only called when {@link #isDurable()} is true.
   */
  protected LogStore reopen(LogStore store) {
    throw new UnsupportedOperationException("reopen is needed when isDurable() is true");
  }

  @BeforeEach
  final void openStore() {
    store = newStore();
  }

  @AfterEach
  final void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------- fixtures

  /** A command entry whose payload names its index and term, so that mix-ups show. */
  protected static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, Bytes.ofUtf8("cmd-" + index + "@" + term));
  }

  /** Entries {@code from..to} inclusive, all in {@code term}. */
  protected static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  protected final List<LogEntry> all() {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  protected final void assertLog(long firstIndex, long lastIndex, List<LogEntry> expected) {
    assertAll(
        () -> assertEquals(firstIndex, store.firstIndex(), "firstIndex"),
        () -> assertEquals(lastIndex, store.lastIndex(), "lastIndex"),
        () -> assertEquals(expected, all(), "entries"));
  }
  @SafeVarargs
  protected static List<LogEntry> concat(List<LogEntry>... parts) {
    List<LogEntry> out = new ArrayList<>();
    for (List<LogEntry> part : parts) {
      out.addAll(part);
    }
    return out;
  }
}

