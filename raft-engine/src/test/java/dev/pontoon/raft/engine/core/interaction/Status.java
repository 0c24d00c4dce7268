package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.engine.core.CoreStatus;
import java.util.List;

/** {@code status ID}: role, term, vote, leader, commit index, last entry and, on a leader, progress. */
final class Status implements Command {
  @Override
  public String name() {
    return "status";
  }

  @Override
  public void run(InteractionEnv env, List<String> args, StringBuilder out) {
    CoreStatus s = env.core(args.get(0)).status();
    out.append(s.id()).append(' ').append(s.role()).append(" term=").append(s.term()).append(" vote=")
        .append(s.votedFor() == null ? "none" : s.votedFor()).append(" leader=")
        .append(s.leader() == null ? "none" : s.leader()).append(" commit=").append(s.commitIndex())
        .append(" last=").append(s.lastIndex()).append('/').append(s.lastTerm()).append('\n');
    s.progress().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
        out.append("  ").append(e.getKey()).append(" match=").append(e.getValue().matchIndex()).append(" next=")
            .append(e.getValue().nextIndex()).append('\n'));
  }
}
