package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.engine.core.RaftCore;
import java.util.List;

/** {@code campaign ID}: the node starts an election now. */
final class Campaign implements Command {
  @Override
  public String name() {
    return "campaign";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    RaftCore core = env.core(args.get(0));
    core.campaign();
    out.append(core.id()).append(" is ").append(core.role()).append(" at term ").append(core.term()).append('\n');
  }
}
