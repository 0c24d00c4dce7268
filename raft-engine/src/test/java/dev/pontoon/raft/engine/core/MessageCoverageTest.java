package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every message type is handled by every role: a new type cannot be left out of {@code step}. */
class MessageCoverageTest {

  /** One instance of each message type, sent by {@code from} to {@code to} in {@code term}. */
  static List<RaftMessage> oneOfEach(NodeId from, NodeId to, long term) {
    return List.of(
        new RequestVote(from, to, term, 1, 1, false, false),
        new RequestVoteResponse(from, to, term, true, false),
        new AppendEntries(from, to, term, 1, 1, List.of(LogEntry.noOp(2, term)), 1, 1),
        new AppendEntriesResponse(from, to, term, true, 1, 0, 0, 1),
        new InstallSnapshot(from, to, term, 5, 1, ClusterConfig.ofVoters("n1", "n2", "n3"), 0, Bytes.ofUtf8("s"), true),
        new InstallSnapshotResponse(from, to, term, 1, 1, true),
        new TimeoutNow(from, to, term));
  }

  @Test
  void theSamplesCoverEveryPermittedSubclass() {
    Set<Class<?>> sampled = oneOfEach(N2, N1, 1).stream().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(RaftMessage.class.getPermittedSubclasses()), sampled);
  }

  @TestFactory
  Stream<DynamicTest> everyMessageIsHandledByALeaderAndAFollower() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Class<?> type : RaftMessage.class.getPermittedSubclasses()) {
      for (long delta : new long[] {-1, 0, 1}) {
        tests.add(DynamicTest.dynamicTest("leader steps " + type.getSimpleName() + " term+" + delta, () -> {
          CoreUnderTest c = CoreUnderTest.leader(3, RaftConfig.defaults(), 1, 1);
          RaftMessage m = pick(type, c.core.term() + delta);
          if (delta == 0 && (m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof TimeoutNow)) {
            // Only the leader of a term sends these in it, and that is us (§5.2): see MalformedMessageTest.
            assertThrows(MalformedMessageException.class, () -> c.core.step(m));
            assertEquals(Ready.EMPTY, c.persist());
            return;
          }
          c.step(m);
          c.persist();
        }));
        tests.add(DynamicTest.dynamicTest("follower steps " + type.getSimpleName() + " term+" + delta, () -> {
          CoreUnderTest c = CoreUnderTest.follower(3, 2, 1, 1);
          c.step(pick(type, 2 + delta));
          Ready ready = c.persist();
          assertTrue(ready.committedEntries().size() <= 2);
        }));
      }
    }
    return tests.stream();
  }

  private static RaftMessage pick(Class<?> type, long term) {
    return oneOfEach(N2, N1, term).stream().filter(type::isInstance).findFirst().orElseThrow();
  }
}
