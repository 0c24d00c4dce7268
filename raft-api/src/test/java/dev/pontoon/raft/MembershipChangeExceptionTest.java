package dev.pontoon.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.MembershipChangeException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
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

  /**
   * A Throwable is Serializable, and this one declares a serialVersionUID: one that names the
   * learners a change added must survive a round trip, as a refusal does. NotLeaderException keeps
   * its NodeId fields transient for this reason; the new learnersAdded and remainingSteps hold
   * NodeId and MemberChange values, which are not Serializable.
   */
  @Test
  void anAnswerNamingTheLearnersAddedSurvivesSerializationLikeARefusal() throws Exception {
    MembershipChangeException e = new MembershipChangeException(Reason.NOT_CAUGHT_UP, "late", Set.of(N4),
        List.of(new MemberChange.Promote(N4)));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    MembershipChangeException back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (MembershipChangeException) in.readObject();
    }

    assertEquals(Reason.NOT_CAUGHT_UP, back.reason());
    assertEquals(Set.of(N4), back.learnersAdded());
    assertEquals(List.of(new MemberChange.Promote(N4)), back.remainingSteps());
  }
}
