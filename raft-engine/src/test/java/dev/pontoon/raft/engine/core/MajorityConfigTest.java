package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quorum arithmetic as tables: each row is voters' values and the expected outcome. */
class MajorityConfigTest {

  private static MajorityConfig voters(int n) {
    return new MajorityConfig(IntStream.rangeClosed(1, n).mapToObj(Fixtures::n).collect(Collectors.toSet()));
  }

  /** The commit index is the highest index held by a majority of voters (§5.3). */
  @ParameterizedTest(name = "acked {0} -> {1}")
  @CsvSource({
      "5, 5",
      "'5 3', 3",
      "'5 5 0', 5",
      "'5 3 1', 3",
      "'1 3 5', 3",
      "'9 9 1 1', 1",
      "'9 9 9 1', 9",
      "'7 6 5 4 3', 5",
      "'7 6 0 0 0', 0",
      "'2 2 2 8 8', 2",
  })
  void committedIndexIsTheValueHeldByAMajority(String acked, long expected) {
    long[] values = java.util.Arrays.stream(acked.split(" ")).mapToLong(Long::parseLong).toArray();
    MajorityConfig config = voters(values.length);

    long committed = config.committedIndex(id -> values[Integer.parseInt(id.value().substring(1)) - 1]);

    assertEquals(expected, committed);
  }

  /** A voter that never answered counts as having acknowledged nothing. */
  @Test
  void missingVotersCountAsZero() {
    MajorityConfig config = voters(3);
    Map<NodeId, Long> acked = Map.of(Fixtures.N1, 7L);

    assertEquals(0, config.committedIndex(id -> acked.getOrDefault(id, 0L)));
  }

  /** A candidate wins with a majority of grants, loses with a majority of rejections, else waits (§5.2). */
  @ParameterizedTest(name = "{0} voters, votes {1} -> {2}")
  @CsvSource({
      "1, 'y', WON",
      "1, 'n', LOST",
      "1, '', PENDING",
      "3, 'y', PENDING",
      "3, 'y y', WON",
      "3, 'y n', PENDING",
      "3, 'n n', LOST",
      "3, 'y n n', LOST",
      "4, 'y y', PENDING",
      "4, 'y y y', WON",
      "4, 'n n', LOST",
      "5, 'y y n n', PENDING",
      "5, 'y y n n y', WON",
      "5, 'n n n', LOST",
  })
  void voteResultFollowsTheMajority(int size, String votes, VoteResult expected) {
    Map<NodeId, Boolean> tally = new HashMap<>();
    String[] answers = votes.isBlank() ? new String[0] : votes.split(" ");
    for (int i = 0; i < answers.length; i++) {
      tally.put(Fixtures.n(i + 1), answers[i].equals("y"));
    }

    assertEquals(expected, voters(size).voteResult(tally));
  }

  /** Votes of non-voters never count. */
  @Test
  void votesOfNonVotersAreIgnored() {
    Map<NodeId, Boolean> tally = Map.of(Fixtures.N1, true, NodeId.of("learner"), true, NodeId.of("x"), true);

    assertEquals(VoteResult.PENDING, voters(3).voteResult(tally));
  }

  @Test
  void hasQuorumNeedsAMajorityOfVoters() {
    assertTrue(voters(3).hasQuorum(Set.of(Fixtures.N1, Fixtures.N3)));
    assertFalse(voters(4).hasQuorum(Set.of(Fixtures.N1, Fixtures.N3, NodeId.of("other"))));
  }

  @Test
  void emptyVoterSetIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MajorityConfig(Set.of()));
    assertTrue(e.getMessage().contains("at least one voter"));
  }
}
