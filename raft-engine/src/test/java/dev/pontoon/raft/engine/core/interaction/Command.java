package dev.pontoon.raft.engine.core.interaction;

import java.util.List;

/** One script command: it acts on the environment and prints what happened. */
interface Command {

  /** The name used in scripts, such as {@code add-nodes}. */
  String name();

  /**
   * Runs the command.
   *
   * @param args the words after the name
   * @param out where to print; nothing printed shows as {@code ok}
   */
  void run(InteractionEnv env, List<String> args, StringBuilder out);
}
