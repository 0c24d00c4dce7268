package dev.pontoon.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A {@link NotLeaderException} says which node refused and which leader it knows, also once serialized. */
class NotLeaderExceptionTest {

  @Test
  void theLeaderHintSurvivesSerialization() throws Exception {
    NotLeaderException e = new NotLeaderException(NodeId.of("n2"), NodeId.of("n1"));

    NotLeaderException back = roundTrip(e);

    assertEquals(NodeId.of("n2"), back.local());
    assertEquals(Optional.of(NodeId.of("n1")), back.leaderHint());
    assertEquals(e.getMessage(), back.getMessage());
    assertFalse(back.mayStillCommit());
  }

  @Test
  void noKnownLeaderStaysNoneOnceSerialized() throws Exception {
    assertEquals(Optional.empty(), roundTrip(new NotLeaderException(NodeId.of("n2"), null)).leaderHint());
  }

  private static NotLeaderException roundTrip(NotLeaderException e) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (NotLeaderException) in.readObject();
    }
  }
}
