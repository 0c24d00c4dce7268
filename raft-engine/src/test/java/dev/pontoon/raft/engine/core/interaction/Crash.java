package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.List;

/** {@code crash ID}: the node stops; only what it synced survives. */
final class Crash implements Command {
  @Override
  public String name() {
    return "crash";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    NodeId id = InteractionEnv.id(args.get(0));
    env.stores.put(id, env.stores.get(id).durableCopy());
    env.down.add(id);
  }
}
