package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code deliver-msgs [ID...]}: delivers the queued messages addressed to those nodes (all when none named). */
final class DeliverMsgs implements Command {
  @Override
  public String name() {
    return "deliver-msgs";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    Set<NodeId> targets = new HashSet<>();
    args.forEach(a -> targets.add(InteractionEnv.id(a)));
    env.deliver(targets, out);
  }
}
