package dev.pontoon.raft.engine.core.interaction;

import java.util.List;

/** {@code transfer-leader ID TARGET}: the leader starts handing leadership to TARGET. */
final class TransferLeader implements Command {
  @Override
  public String name() {
    return "transfer-leader";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    env.core(args.get(0)).transferLeadership(InteractionEnv.id(args.get(1)));
  }
}
