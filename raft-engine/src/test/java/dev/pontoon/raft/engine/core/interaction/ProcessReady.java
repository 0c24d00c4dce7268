package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.ArrayList;
import java.util.List;

/** {@code process-ready [ID...]}: each node persists and sends its Ready (all nodes when none named). */
final class ProcessReady implements Command {
  @Override
  public String name() {
    return "process-ready";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    List<NodeId> ids = new ArrayList<>();
    args.forEach(a -> ids.add(InteractionEnv.id(a)));
    for (NodeId id : ids.isEmpty() ? List.copyOf(env.cores.keySet()) : ids) {
      env.processReady(id, out);
    }
  }
}
