package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Quorum arithmetic over one set of voters: which index a majority has reached, and whether a
 * majority granted or rejected a vote. Pure; learners never appear here.
 */
final class MajorityConfig {

  private final Set<NodeId> voters;
  /** The voters in id order, iterated on every commit check without a set's iterator. */
  private final NodeId[] voterArray;

  MajorityConfig(Set<NodeId> voters) {
    Objects.requireNonNull(voters, "voters");
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a majority needs at least one voter");
    }
    this.voters = Collections.unmodifiableSet(new TreeSet<>(voters));
    this.voterArray = this.voters.toArray(new NodeId[0]);
  }

  Set<NodeId> voters() {
    return voters;
  }

  boolean contains(NodeId id) {
    return voters.contains(id);
  }

  /** The smallest number of voters that forms a majority. */
  int quorum() {
    return voters.size() / 2 + 1;
  }

  /**
   * The highest value that a majority of voters has reached: with values sorted in descending
   * order, the one at position {@code quorum - 1}. Used for {@code matchIndex} (§5.3, commit) and
   * for acknowledged AppendEntries sequences (ReadIndex, thesis §6.4).
   *
   * @param acked each voter's value; voters without one report 0
   */
  long committedIndex(ToLongFunction<NodeId> acked) {
    long[] values = new long[voterArray.length];
    for (int i = 0; i < voterArray.length; i++) {
      values[i] = acked.applyAsLong(voterArray[i]);
    }
    Arrays.sort(values);
    // Ascending order: the quorum-th largest value sits at length - quorum.
    return values[values.length - quorum()];
  }

  /**
   * Counts the votes of an election (§5.2: "a candidate wins an election if it receives votes
   * from a majority of the servers in the full cluster for the same term").
   *
   * @param votes grant (true) or rejection (false) per voter that answered; others are missing.
   *     Entries for non-voters are ignored.
   */
  VoteResult voteResult(Map<NodeId, Boolean> votes) {
    int granted = 0;
    int rejected = 0;
    for (NodeId voter : voters) {
      Boolean vote = votes.get(voter);
      if (vote == null) {
        continue;
      }
      if (vote) {
        granted++;
      } else {
        rejected++;
      }
    }
    if (granted >= quorum()) {
      return VoteResult.WON;
    }
    if (voters.size() - rejected >= quorum()) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }

  /** Whether {@code active} holds a majority of the voters. */
  boolean hasQuorum(Set<NodeId> active) {
    int count = 0;
    for (NodeId voter : voters) {
      if (active.contains(voter)) {
        count++;
      }
    }
    return count >= quorum();
  }

  @Override
  public String toString() {
    return "majority" + voters;
  }
}
