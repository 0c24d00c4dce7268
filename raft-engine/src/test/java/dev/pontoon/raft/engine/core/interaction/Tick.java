package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.engine.core.RaftCore;
import java.util.List;

/** {@code tick ID [COUNT]}: COUNT logical time units pass on the node; prints role changes. */
final class Tick implements Command {
  @Override
  public String name() {
    return "tick";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    RaftCore core = env.core(args.get(0));
    int count = args.size() > 1 ? Integer.parseInt(args.get(1)) : 1;
    for (int i = 1; i <= count; i++) {
      var before = core.role();
      long term = core.term();
      core.tick();
      if (core.role() != before || core.term() != term) {
        out.append("tick ").append(i).append(": ").append(core.id()).append(" is ").append(core.role())
            .append(" at term ").append(core.term()).append('\n');
      }
    }
  }
}
