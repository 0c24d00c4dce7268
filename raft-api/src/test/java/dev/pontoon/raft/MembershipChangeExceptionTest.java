package dev.pontoon.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.MembershipChangeException.Reason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A {@link MembershipChangeException} says whether anything of the change stands: nothing for a
 * refusal, else the learners its first phase added together with the steps left.
 */
class MembershipChangeExceptionTest {
  private static final NodeId N4 = NodeId.of("n4");

  @Test
  void aRefusalNamesNoLearnersAndNoStepsLeft() {
    MembershipChangeException e = new MembershipChangeException(Reason.CHANGE_IN_PROGRESS, "busy");

    assertEquals(Set.of(), e.learnersAdded());
    assertEquals(List.of(), e.remainingSteps());
    assertFalse(e.mayStillCommit());
  }

  @Test
  void learnersAddedComeWithTheStepsLeftAndNeverAlone() {
    MembershipChangeException e = new MembershipChangeException(Reason.NOT_CAUGHT_UP, "late", Set.of(N4),
        List.of(new MemberChange.Promote(N4)));
    assertEquals(Set.of(N4), e.learnersAdded());
    assertEquals(List.of(new MemberChange.Promote(N4)), e.remainingSteps());

    assertThrows(IllegalArgumentException.class,
        () -> new MembershipChangeException(Reason.NOT_CAUGHT_UP, "late", Set.of(N4), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new MembershipChangeException(Reason.NOT_CAUGHT_UP, "late",
        Set.of(), List.of(new MemberChange.Promote(N4))));
  }
}
