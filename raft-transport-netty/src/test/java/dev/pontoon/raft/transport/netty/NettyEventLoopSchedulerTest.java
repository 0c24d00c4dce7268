package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes whose event loops run on their Netty transport's I/O thread
 * ({@code NodeScheduler.eventLoopOn(transport.eventLoop())}), over real loopback sockets.
 */
class NettyEventLoopSchedulerTest {
  private final List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private final LoopbackCluster loopback = new LoopbackCluster(ids);
  private final Map<NodeId, NettyTransport> transports = new LinkedHashMap<>();
  private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
  private final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    servers.values().forEach(RaftServer::close);
    transports.values().forEach(NettyTransport::close);
  }

  @Test
  void nodesWhoseLoopsRunOnTheirTransportsThreadElectALeaderAndReplicate() throws Exception {
    for (NodeId id : ids) {
      NettyTransport transport = new NettyTransport(loopback.config(id));
      RecordingStateMachine machine = new RecordingStateMachine();
      transports.put(id, transport);
      machines.put(id, machine);
      servers.put(id, RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(new TreeSet<>(ids)))
          .transport(transport).logStore(new InMemoryLogStore()).stateMachine(machine)
          .scheduler(NodeScheduler.eventLoopOn(transport.eventLoop()))
          // Futures then complete on the loop, which shows where the loop runs.
          .applyOnEventLoop(true)
          .randomSeed(id.hashCode()).electionTimeoutTicks(25, 50).build());
    }
    RaftServer leader = await("a leader").atMost(RunningNode.PATIENCE).until(() -> servers.values().stream()
        .filter(s -> s.status().role() == Role.LEADER).findFirst(), java.util.Optional::isPresent).orElseThrow();

    List<Bytes> commands = new ArrayList<>();
    Set<String> completedOn = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Bytes>> results = new ArrayList<>();
    // A callback attached to a future that is already complete runs on the attaching thread, which would
    // say nothing of the loop. Holding the leader's loop until every callback is attached rules that out.
    CountDownLatch callbacksAttached = new CountDownLatch(1);
    transports.get(leader.status().id()).eventLoop().execute(() -> awaitQuietly(callbacksAttached));
    try {
      for (int i = 0; i < 200; i++) {
        Bytes command = Bytes.ofUtf8("c-" + i);
        commands.add(command);
        results.add(leader.submit(command).whenComplete((r, e) -> completedOn.add(Thread.currentThread().getName())));
      }
    } finally {
      callbacksAttached.countDown();
    }
    for (int i = 0; i < results.size(); i++) {
      assertEquals(commands.get(i), results.get(i).get(30, TimeUnit.SECONDS));
    }

    NodeId leaderId = leader.status().id();
    assertTrue(completedOn.stream().allMatch(name -> name.startsWith("pontoon-netty-" + leaderId)),
        "the leader's loop ran on its transport's I/O thread: " + completedOn);
    for (NodeId id : ids) {
      await(id + " applies every command").atMost(RunningNode.PATIENCE)
          .until(() -> machines.get(id).applied().equals(commands));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A task of the host's own on the transport's I/O thread (not inside a batch of the node) closes
   * the node: close() returns, and the node stops. The stop closes the transport, which waits for
   * its I/O thread to end, so a close there that waited for the stop would wait for itself.
   */
  @Test
  void closeInAHostTaskOnTheTransportsIoThreadReturnsAndTheNodeStops() throws Exception {
    NodeId id = ids.get(0);
    NettyTransport transport = new NettyTransport(loopback.config(id));
    transports.put(id, transport);
    RaftServer node = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(Set.of(id))).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine())
        .scheduler(NodeScheduler.eventLoopOn(transport.eventLoop())).bootstrapLeader(id).build();
    node.submit(Bytes.ofUtf8("x=1")).get(30, TimeUnit.SECONDS); // a batch ran on the I/O thread
    CompletableFuture<Void> closed = new CompletableFuture<>();

    transport.eventLoop().execute(() -> {
      node.close();
      closed.complete(null);
    });

    closed.get(30, TimeUnit.SECONDS);
    node.whenStopped().get(30, TimeUnit.SECONDS);
  }

  @Test
  void eventLoopNeedsATransportWithOneIoThread() {
    NettyTransport transport = new NettyTransport(loopback.config(ids.get(0), b -> b.ioThreads(2)));
    transports.put(ids.get(0), transport);
    IllegalStateException e = assertThrows(IllegalStateException.class, transport::eventLoop);
    assertTrue(e.getMessage().contains("ioThreads(1)"), e.getMessage());
  }

  @Test
  void aTransportClosedBeforeItStartedStopsItsThreadAndRefusesTasks() {
    NettyTransport transport = new NettyTransport(loopback.config(ids.get(0)));
    Executor loop = transport.eventLoop();
    CompletableFuture<String> ran = new CompletableFuture<>();
    loop.execute(() -> ran.complete(Thread.currentThread().getName()));
    assertTrue(ran.join().startsWith("pontoon-netty-n1"), ran.join());

    transport.close();

    assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    assertThrows(IllegalStateException.class, transport::eventLoop);
  }
}
