package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.CallbackCloses.PATIENCE_SECONDS;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.closeEachOnItsOwnThread;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With the event loop on the host's executor ({@link NodeScheduler#eventLoopOn}), the executor's
 * thread is one the node needs: {@code close()} called there — also outside the node's batches,
 * in a task of the host's own — starts the stop and returns, as on any other node thread, and
 * {@code whenStopped()} tells when the stop ends. A thread that only lent itself to the loop (a
 * direct executor runs a batch on the thread that submits) is not the executor's, and its close
 * still waits for the stop.
 */
class CloseOnHostExecutorThreadTest {

  private final List<RaftServer> started = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();

  @AfterEach
  void closeWhatCanBeClosed() {
    closeEachOnItsOwnThread(started);
    executors.forEach(ExecutorService::shutdownNow);
  }

  /** A host task on the loop's single-thread executor closes the node: close returns, the node stops. */
  @Test
  void closeInAHostTaskOnTheLoopsExecutorReturnsAndTheNodeStops() throws Exception {
    ExecutorService host = singleThread("host");
    RaftServer node = singleNode("h1", host, new InMemoryNetwork().transport(NodeId.of("h1")));
    node.submit(Bytes.ofUtf8("x=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS); // a batch ran on "host"

    Future<?> close = host.submit(node::close);

    awaitOrDeadlock(close, "close() in a host task on the loop's executor never returned");
    node.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * As above, with a transport that, like the Netty transport on its own I/O event loop, waits in
   * {@code close()} for the executor's thread (the Netty transport waits for its event loop group
   * to terminate): the stop closes the transport, so a close on that thread that waits for the
   * stop waits for itself.
   */
  @Test
  void closeInAHostTaskDoesNotWaitForAStopThatNeedsTheExecutorsThread() throws Exception {
    ExecutorService host = singleThread("host");
    Transport transport = new ClosesOnHost(new InMemoryNetwork().transport(NodeId.of("h2")), host);
    RaftServer node = singleNode("h2", host, transport);
    node.submit(Bytes.ofUtf8("x=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);

    Future<?> close = host.submit(node::close);

    awaitOrDeadlock(close, "close() in a host task on the loop's executor never returned: it waits for the stop,"
        + " which waits for the transport's close, which waits for this thread");
    node.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
  }

  /** A direct executor lends the submitting thread to the loop; that thread's close still waits. */
  @Test
  void closeOnAThreadThatOnlyLentItselfToTheLoopWaitsForTheStop() throws Exception {
    RaftServer node = singleNode("h3", Runnable::run, new InMemoryNetwork().transport(NodeId.of("h3")));
    node.submit(Bytes.ofUtf8("x=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS); // a batch ran on this thread

    node.close();

    assertTrue(node.whenStopped().isDone(), "close() on a thread the loop only borrowed returned before the stop ended");
  }

  private static void awaitOrDeadlock(Future<?> close, String message) throws Exception {
    try {
      close.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(message, e);
    } catch (ExecutionException e) {
      throw new AssertionError("close() threw", e.getCause());
    }
  }

  private RaftServer singleNode(String id, java.util.concurrent.Executor host, Transport transport) {
    RaftServer s = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id)).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
        .bootstrapLeader(NodeId.of(id)).scheduler(NodeScheduler.eventLoopOn(host)).build();
    started.add(s);
    return s;
  }

  private ExecutorService singleThread(String threadName) {
    ExecutorService e = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    executors.add(e);
    return e;
  }

  /** A transport whose close runs a last task on {@code host} and waits for it. */
  private static final class ClosesOnHost extends ForwardingTransport {
    private final ExecutorService host;

    ClosesOnHost(Transport delegate, ExecutorService host) {
      super(delegate);
      this.host = host;
    }

    @Override
    public void close() {
      try {
        host.submit(delegate::close).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }
}
