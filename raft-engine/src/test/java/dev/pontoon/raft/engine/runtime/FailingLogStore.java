package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import java.util.List;

/** A real in-memory store whose sync starts failing on command, as a dying disk would. */
final class FailingLogStore implements LogStore {

  private final InMemoryLogStore delegate = new InMemoryLogStore();
  private volatile boolean failing;
  private volatile int closes;

  /** From now on every sync throws. */
  void failSyncs() {
    failing = true;
  }

  int closes() {
    return closes;
  }

  @Override
  public void sync() {
    if (failing) {
      throw new StorageException("disk failed");
    }
    delegate.sync();
  }

  @Override
  public HardState loadHardState() {
    return delegate.loadHardState();
  }

  @Override
  public void saveHardState(HardState state) {
    delegate.saveHardState(state);
  }

  @Override
  public void append(List<LogEntry> entries) {
    delegate.append(entries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    delegate.truncateSuffix(fromIndex);
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    delegate.truncatePrefix(lastIncludedIndex, lastIncludedTerm);
  }

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long term(long index) {
    return delegate.term(index);
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return delegate.entries(fromIndex, toIndex, maxBytes);
  }

  @Override
  public void close() {
    closes++;
  }
}
