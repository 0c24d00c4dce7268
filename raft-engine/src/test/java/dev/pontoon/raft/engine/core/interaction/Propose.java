package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.log.Bytes;
import java.util.List;

/** {@code propose ID TEXT}: proposes a command; prints its index and term, or the refusal. */
final class Propose implements Command {
  @Override
  public String name() {
    return "propose";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    try {
      Proposal p = env.core(args.get(0)).propose(Bytes.ofUtf8(args.get(1)));
      out.append("index ").append(p.index()).append(" term ").append(p.term()).append('\n');
    } catch (NotLeaderException e) {
      out.append("refused: ").append(e.getMessage()).append('\n');
    }
  }
}
