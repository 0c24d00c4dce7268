package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;

/**
 * A {@link LogStore} that passes every call to {@link #delegate()}: extend it to decorate a store
 * (count syncs, inject failures, observe writes) by overriding only the calls that matter.
 *
 * <p>The contract is the delegate's: this class adds no behaviour, threading rule or
 * durability of its own. {@link #close()} closes the delegate.
 */
public abstract class ForwardingLogStore implements LogStore {

  /** A new decorator; {@link #delegate()} supplies the store. */
  protected ForwardingLogStore() {}

  /** The store calls go to; may change over time (a subclass modelling a crash swaps it). */
  protected abstract LogStore delegate();

  @Override
  public HardState loadHardState() {
    return delegate().loadHardState();
  }

  @Override
  public void saveHardState(HardState state) {
    delegate().saveHardState(state);
  }

  @Override
  public void append(List<LogEntry> entries) {
    delegate().append(entries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    delegate().truncateSuffix(fromIndex);
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    delegate().truncatePrefix(lastIncludedIndex, lastIncludedTerm);
  }

  @Override
  public void sync() {
    delegate().sync();
  }

  @Override
  public boolean isDurable() {
    return delegate().isDurable();
  }

  @Override
  public long firstIndex() {
    return delegate().firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate().lastIndex();
  }

  @Override
  public long term(long index) {
    return delegate().term(index);
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return delegate().entries(fromIndex, toIndex, maxBytes);
  }

  @Override
  public void close() {
    delegate().close();
  }
}
