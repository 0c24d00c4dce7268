package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.List;

/** {@code restart ID}: a crashed node comes back from its durable store, as a follower. */
final class Restart implements Command {
  @Override
  public String name() {
    return "restart";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    NodeId id = InteractionEnv.id(args.get(0));
    env.start(id);
    var core = env.cores.get(id);
    out.append(id).append(" restarted at term ").append(core.term()).append(" with log up to ")
        .append(core.status().lastIndex()).append('\n');
  }
}
