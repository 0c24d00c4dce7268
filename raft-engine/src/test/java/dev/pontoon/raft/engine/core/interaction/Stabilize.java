package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.List;
import java.util.Set;

/** {@code stabilize}: processes Readys and delivers messages until nothing is left. */
final class Stabilize implements Command {
  @Override
  public String name() {
    return "stabilize";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    for (int round = 0; round < 1_000; round++) {
      boolean busy = false;
      for (NodeId id : List.copyOf(env.cores.keySet())) {
        busy |= env.processReady(id, out);
      }
      busy |= env.deliver(Set.of(), out);
      if (!busy) {
        return;
      }
    }
    throw new IllegalStateException("stabilize did not converge");
  }
}
