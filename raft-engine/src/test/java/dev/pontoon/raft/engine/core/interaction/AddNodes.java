package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.TreeSet;

/** {@code add-nodes N [pre-vote=true|false] [check-quorum=true|false]}: a fresh cluster of N voters n1..nN. */
final class AddNodes implements Command {
  @Override
  public String name() {
    return "add-nodes";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    int count = Integer.parseInt(args.get(0));
    RaftConfig config = RaftConfig.defaults().withPreVote(false).withCheckQuorum(false);
    for (String option : args.subList(1, args.size())) {
      String[] kv = option.split("=");
      switch (kv[0]) {
        case "pre-vote" -> config = config.withPreVote(Boolean.parseBoolean(kv[1]));
        case "check-quorum" -> config = config.withCheckQuorum(Boolean.parseBoolean(kv[1]));
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    TreeSet<NodeId> voters = new TreeSet<>();
    for (int i = 1; i <= count; i++) {
      voters.add(NodeId.of("n" + i));
    }
    env.config = ClusterConfig.ofVoters(voters);
    env.raftConfig = config;
    for (NodeId id : voters) {
      env.stores.put(id, new InMemoryLogStore());
      env.start(id);
    }
  }
}
