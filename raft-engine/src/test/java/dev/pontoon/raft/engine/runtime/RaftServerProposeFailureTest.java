package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.StorageException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A submit is always answered, and gives back the room it reserved: when the core throws while
 * proposing the command (anything but its NotLeader refusal: a failing store read, a broken
 * invariant, an Error), the node stops as for any fatal failure (STYLE rule 13), and that
 * submit's future completes with {@link NodeStoppedException} naming the cause, like every other
 * pending request's. Its {@code mayStillCommit()} is exact: false when the core threw without
 * appending the command (so a retry is safe), true only when that is not certain.
 */
class RaftServerProposeFailureTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void submitIsAnsweredWhenTheCoreThrowsInsidePropose() throws Exception {
    checkSubmitIsAnsweredAndReleased("p1", new StorageException("disk read failed in propose"));
  }

  /** The same when what propose meets is an Error (an assert, a stack overflow), not an exception. */
  @Test
  void submitIsAnsweredWhenTheCoreThrowsAnErrorInsidePropose() throws Exception {
    checkSubmitIsAnsweredAndReleased("p2", new AssertionError("log invariant broken in propose"));
  }

  /**
   * A core that throws from {@code propose} has appended nothing: the read that throws comes
   * before the append, and nothing after it throws but a failure of the JVM itself. The command
   * never entered the log, so the answer says a retry cannot apply it twice.
   */
  @Test
  void submitWhoseProposeThrowsIsAnsweredAsNeverCommitted() throws Exception {
    Throwable outcome = checkSubmitIsAnsweredAndReleased("p3", new StorageException("disk read failed in propose"));
    assertFalse(((NodeStoppedException) outcome).mayStillCommit(),
        "propose threw before appending the command, yet the answer says it may still commit");
  }

  /** The same for an Error thrown by code (an assert), which also strikes before the append. */
  @Test
  void submitWhoseProposeThrowsAnErrorIsAnsweredAsNeverCommitted() throws Exception {
    Throwable outcome = checkSubmitIsAnsweredAndReleased("p4", new AssertionError("log invariant broken in propose"));
    assertFalse(((NodeStoppedException) outcome).mayStillCommit(),
        "propose threw before appending the command, yet the answer says it may still commit");
  }

  /**
   * A failure of the JVM itself (a stack overflow, out of memory) may strike anywhere in
   * {@code propose}, after the append too: whether the command entered the log is not known, so
   * the answer must not invite a retry.
   */
  @Test
  void submitWhoseProposeMeetsAVirtualMachineErrorMayStillCommit() throws Exception {
    Throwable outcome = checkSubmitIsAnsweredAndReleased("p5", new StackOverflowError("deep in propose"));
    assertTrue(((NodeStoppedException) outcome).mayStillCommit(),
        "a JVM failure in propose may have struck after the append: the outcome is unknown");
  }

  /**
   * Arrange: a one-node leader whose log store, once armed, fails the read that
   * {@code RaftCore.propose} makes (the log's last index: the leader's earlier entries are durable,
   * so its unstable log is empty and the read goes to the store) and no other.
   */
  private Throwable checkSubmitIsAnsweredAndReleased(String id, Throwable cause) throws Exception {
    ProposeFailingLogStore store = new ProposeFailingLogStore();
    RaftServer node = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(store)
        .stateMachine(new RecordingStateMachine()).tickInterval(TestCluster.TICK).bootstrapLeader(NodeId.of(id))
        .meterRegistry(registry).build();
    try {
      node.submit(Bytes.ofUtf8("a=1")).get(20, TimeUnit.SECONDS);
      // Kept: the stop removes the meter from the registry, and its value is read after the stop.
      Gauge pending = registry.find("raft.proposals.pending").tag("node", id).gauge();
      store.failNextPropose(cause);

      CompletableFuture<Bytes> submit = node.submit(Bytes.ofUtf8("b=2"));

      Throwable outcome;
      try {
        submit.orTimeout(20, TimeUnit.SECONDS).join();
        throw new AssertionError("the submit completed normally though propose threw");
      } catch (CompletionException e) {
        outcome = e.getCause();
      }
      if (outcome instanceof TimeoutException) {
        throw new AssertionError("the submit was never answered (node stopped: " + node.whenStopped().isDone()
            + ", propose threw: " + store.thrown() + "): it was in neither the linger nor PendingProposals, so the"
            + " stop's failAll does not see it", outcome);
      }
      assertInstanceOf(NodeStoppedException.class, outcome);
      assertSame(cause, outcome.getCause(), "the answer names what propose threw");
      node.whenStopped().handle((v, t) -> null).get(20, TimeUnit.SECONDS);
      assertEquals(0, pending.value(), "the room the submit reserved was given back");
      return outcome;
    } finally {
      node.close();
    }
  }
}
