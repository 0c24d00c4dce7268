package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The votes of one (pre-)election. Built fresh in {@code becomeCandidate} and
 * {@code becomePreCandidate}, so that votes of another term can never be counted.
 */
final class CandidateState {
  final boolean preVote;
  private final Map<NodeId, Boolean> votes = new HashMap<>();

  CandidateState(boolean preVote) {
    this.preVote = preVote;
  }

  /** Records the first answer of {@code voter}; later answers from it are ignored. */
  void record(NodeId voter, boolean granted) {
    votes.putIfAbsent(voter, granted);
  }

  VoteResult result(JointConfig quorum) {
    return quorum.voteResult(votes);
  }
}
