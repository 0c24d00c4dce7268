package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import java.util.Objects;

/**
 * What a {@link RaftCluster#clientRequest} did, as data: a refusal is a value here, never an
 * exception, so that a script can assert on it like on anything else.
 *
 * <p>Success means the node was leader and <em>appended</em> the command to its log as
 * {@code entry}; whether it commits is for the script to find out ({@link
 * RaftCluster#committedEntries}) — a leader cut off from its majority appends and never commits.
 *
 * @param success whether the command was appended
 * @param entry the appended entry (its index and term), or null on failure
 * @param error why the command was refused ("n2 is not the leader", "n1 is down", "no leader"),
 *     or null on success
 * @param leaderHint the leader the refusing node knows of, or null
 */
public record ClientResult(boolean success, LogEntry entry, String error, NodeId leaderHint) {

  /** @throws IllegalArgumentException if the components contradict {@code success} */
  public ClientResult {
    if (success != (entry != null) || success == (error != null)) {
      throw new IllegalArgumentException("a result has an entry when it succeeded and an error when not: "
          + success + ", " + entry + ", " + error);
    }
  }

  static ClientResult appended(LogEntry entry) {
    return new ClientResult(true, Objects.requireNonNull(entry, "entry"), null, null);
  }

  static ClientResult refused(String error, NodeId leaderHint) {
    return new ClientResult(false, null, error, leaderHint);
  }
}
