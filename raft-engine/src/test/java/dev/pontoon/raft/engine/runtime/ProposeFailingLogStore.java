package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;

/**
 * A real in-memory store that, once armed, fails the next read of its last index made inside
 * {@code RaftCore.propose}, and no other call: the core throws while proposing one command, and
 * nowhere else. A leader reads it there when its unstable log is empty (every entry it appended
 * is durable), so the failure lands in the proposing of the first command after arming.
 */
final class ProposeFailingLogStore extends ForwardingLogStore {

  private final InMemoryLogStore delegate = new InMemoryLogStore();
  private volatile Throwable failure;
  private volatile boolean thrown;

  @Override
  protected LogStore delegate() {
    return delegate;
  }

  /** The next read inside {@code RaftCore.propose} throws {@code failure} (a RuntimeException or an Error). */
  void failNextPropose(Throwable failure) {
    if (!(failure instanceof RuntimeException) && !(failure instanceof Error)) {
      throw new IllegalArgumentException("an unchecked throwable is needed: " + failure);
    }
    this.failure = failure;
  }

  /** Whether the armed failure was thrown. */
  boolean thrown() {
    return thrown;
  }

  @Override
  public long lastIndex() {
    Throwable f = failure;
    if (f != null && calledFromPropose()) {
      failure = null;
      thrown = true;
      if (f instanceof RuntimeException e) {
        throw e;
      }
      throw (Error) f;
    }
    return super.lastIndex();
  }

  private static boolean calledFromPropose() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(
        f -> f.getClassName().equals(RaftCore.class.getName()) && f.getMethodName().equals("propose")));
  }
}
