package dev.pontoon.raft.engine.core.interaction;

import java.util.List;

/** {@code heal}: restores every link. */
final class Heal implements Command {
  @Override
  public String name() {
    return "heal";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    env.cut.clear();
  }
}
