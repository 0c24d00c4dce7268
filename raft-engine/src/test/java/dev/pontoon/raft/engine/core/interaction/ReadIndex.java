package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NotLeaderException;
import java.util.List;

/** {@code read-index ID REQUEST}: registers a linearizable read. */
final class ReadIndex implements Command {
  @Override
  public String name() {
    return "read-index";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    try {
      env.core(args.get(0)).readIndex(Long.parseLong(args.get(1)));
    } catch (NotLeaderException e) {
      out.append("refused: ").append(e.getMessage()).append('\n');
    }
  }
}
