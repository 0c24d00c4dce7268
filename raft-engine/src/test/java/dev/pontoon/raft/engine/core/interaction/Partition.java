package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import java.util.ArrayList;
import java.util.List;

/** {@code partition A B / C D}: cuts every link between the two groups, both ways. */
final class Partition implements Command {
  @Override
  public String name() {
    return "partition";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    int slash = args.indexOf("/");
    if (slash < 0) {
      throw new IllegalArgumentException("partition needs two groups separated by '/'");
    }
    List<NodeId> left = new ArrayList<>();
    List<NodeId> right = new ArrayList<>();
    args.subList(0, slash).forEach(a -> left.add(InteractionEnv.id(a)));
    args.subList(slash + 1, args.size()).forEach(a -> right.add(InteractionEnv.id(a)));
    for (NodeId a : left) {
      for (NodeId b : right) {
        env.cut.add(List.of(a, b));
        env.cut.add(List.of(b, a));
      }
    }
  }
}
