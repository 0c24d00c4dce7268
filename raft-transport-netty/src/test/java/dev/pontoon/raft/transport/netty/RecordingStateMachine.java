package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every command applied, in order; answers queries with the count. */
final class RecordingStateMachine implements StateMachine {
  private final List<Bytes> applied = new CopyOnWriteArrayList<>();

  @Override
  public Bytes apply(long index, Bytes command) {
    applied.add(command);
    return command;
  }

  @Override
  public Bytes query(Bytes query) {
    return Bytes.ofUtf8(Integer.toString(applied.size()));
  }

  List<Bytes> applied() {
    return List.copyOf(applied);
  }
}
