package dev.pontoon.examples.demo;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.List;

/** The demo's state: the list of notes applied so far, in log order. Called from the apply thread only. */
final class NotesStateMachine implements StateMachine {
  private final List<String> notes = new ArrayList<>();

  @Override
  public Bytes apply(long index, Bytes command) {
    notes.add(command.toUtf8());
    return Bytes.ofUtf8("applied at " + index);
  }

  @Override
  public Bytes query(Bytes query) {
    return Bytes.ofUtf8(String.join(",", notes));
  }
}
