package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A read is always answered: {@code ApplyWorker} says "an exception from a query fails only that
 * read", and when a throwable from the state machine stops the node instead, STYLE rule 13 and
 * {@code RaftNode.close} say every pending future completes. A query that throws an
 * {@link Error} (an {@code assert} in the state machine, a stack overflow) is the case here.
 */
class RaftServerQueryErrorTest {

  @Test
  void aQueryThatThrowsAnErrorStillAnswersItsRead() throws Exception {
    RaftServer node = TestCluster.singleNode("q2", new RecordingStateMachine() {
      @Override
      public synchronized Bytes query(Bytes query) {
        if (query.toUtf8().equals("bad")) {
          throw new AssertionError("state machine invariant broken");
        }
        return super.query(query);
      }
    });
    try {
      node.submit(Bytes.ofUtf8("a=1")).get(20, TimeUnit.SECONDS);

      CompletableFuture<Bytes> read = node.read(Bytes.ofUtf8("bad"));

      Throwable outcome;
      try {
        read.get(20, TimeUnit.SECONDS);
        outcome = null;
      } catch (ExecutionException e) {
        outcome = e.getCause();
      } catch (TimeoutException e) {
        throw new AssertionError("the read was never answered (node stopped: " + node.whenStopped().isDone()
            + "): it left PendingReads before the query ran, so neither serveReads nor the stop's failAll"
            + " completes it", e);
      }
      assertEquals("state machine invariant broken", outcome == null ? null : rootMessage(outcome));
    } finally {
      node.close();
    }
  }

  /** The same on the apply thread (not the loop): the Error fails the read there and stops the node. */
  @Test
  void aQueryThatThrowsAnErrorOnTheApplyThreadStillAnswersItsRead() throws Exception {
    RaftServer node = RaftServer.builder().nodeId("q3").cluster(ClusterConfig.ofVoters("q3"))
        .transport(new InMemoryNetwork().transport(NodeId.of("q3"))).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine() {
          @Override
          public synchronized Bytes query(Bytes query) {
            if (query.toUtf8().equals("bad")) {
              throw new StackOverflowError("query recursed too deep");
            }
            return super.query(query);
          }
        }).tickInterval(TestCluster.TICK).bootstrapLeader(NodeId.of("q3")).applyOnEventLoop(false).build();
    try {
      node.submit(Bytes.ofUtf8("a=1")).get(20, TimeUnit.SECONDS);

      Throwable outcome = outcomeOf(node.read(Bytes.ofUtf8("bad")));

      assertEquals("query recursed too deep", rootMessage(outcome));
      node.whenStopped().handle((v, t) -> null).get(20, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  /**
   * A command whose apply throws an Error stops the node; it and the commands behind it stay
   * pending until the stop, which answers every one (NodeStoppedException with the Error as cause).
   */
  @Test
  void aCommandWhoseApplyThrowsAnErrorIsAnsweredByTheStop() throws Exception {
    RaftServer node = TestCluster.singleNode("q4", new RecordingStateMachine() {
      @Override
      public synchronized Bytes apply(long index, Bytes command) {
        if (command.toUtf8().equals("bad=1")) {
          throw new AssertionError("apply invariant broken");
        }
        return super.apply(index, command);
      }
    });
    try {
      node.submit(Bytes.ofUtf8("a=1")).get(20, TimeUnit.SECONDS);

      List<CompletableFuture<Bytes>> futures = List.of(node.submit(Bytes.ofUtf8("bad=1")),
          node.submit(Bytes.ofUtf8("b=1")), node.submit(Bytes.ofUtf8("c=1")));
      CompletableFuture<Bytes> read = node.read(Bytes.ofUtf8("a"));

      for (CompletableFuture<Bytes> f : futures) {
        Throwable outcome = outcomeOf(f);
        if (outcome != null) {
          assertInstanceOf(NodeStoppedException.class, outcome);
          assertEquals("apply invariant broken", rootMessage(outcome));
        }
      }
      assertInstanceOf(NodeStoppedException.class, outcomeOf(futures.get(0)));
      outcomeOf(read);
    } finally {
      node.close();
    }
  }

  /** The future's failure, null if it succeeded; fails the test if it is not answered in time. */
  private static Throwable outcomeOf(CompletableFuture<Bytes> future) throws Exception {
    try {
      future.get(20, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("a request was never answered", e);
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
