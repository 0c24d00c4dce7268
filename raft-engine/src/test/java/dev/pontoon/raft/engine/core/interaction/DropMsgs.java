package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code drop-msgs [ID...]}: discards the queued messages addressed to those nodes (all when none named). */
final class DropMsgs implements Command {
  @Override
  public String name() {
    return "drop-msgs";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    Set<NodeId> targets = new HashSet<>();
    args.forEach(a -> targets.add(InteractionEnv.id(a)));
    for (RaftMessage m : env.take(targets)) {
      out.append("dropped ").append(InteractionEnv.format(m)).append('\n');
    }
  }
}
