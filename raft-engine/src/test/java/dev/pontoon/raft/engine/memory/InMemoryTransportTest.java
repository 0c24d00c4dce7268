package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.TransportContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport contract, plus the in-memory network's faults (disconnect, partition, heal). */
class InMemoryTransportTest extends TransportContract {

  /** The network the contract's transports n1, n2, n3 share. */
  private final InMemoryNetwork contractNetwork = new InMemoryNetwork();

  @Override
  protected Map<NodeId, Transport> createTransports(List<NodeId> ids) {
    Map<NodeId, Transport> out = new LinkedHashMap<>();
    for (NodeId id : ids) {
      out.put(id, contractNetwork.transport(id));
    }
    return out;
  }

  @Override
  protected Transport reopen(NodeId id) {
    return contractNetwork.transport(id);
  }

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");

  private InMemoryNetwork network;
  private Transport a;
  private Transport b;
  private Transport c;
  private final List<RaftMessage> atA = new CopyOnWriteArrayList<>();
  private final List<RaftMessage> atB = new CopyOnWriteArrayList<>();
  private final List<RaftMessage> atC = new CopyOnWriteArrayList<>();

  @BeforeEach
  void connectThreeNodes() {
    network = new InMemoryNetwork();
    a = network.transport(A);
    b = network.transport(B);
    c = network.transport(C);
    a.start(atA::add);
    b.start(atB::add);
    c.start(atC::add);
  }

  private static RaftMessage msg(NodeId from, NodeId to) {
    return new TimeoutNow(from, to, 1);
  }

  @Test
  void sendHandsTheMessageToTheTargetsHandler() {
    RaftMessage m = msg(A, B);
    a.send(m);
    assertEquals(List.of(m), atB);
    assertTrue(atA.isEmpty() && atC.isEmpty());
    assertEquals(1, network.deliveredMessages());
  }

  @Test
  void messageToUnknownNodeIsDroppedAndCounted() {
    a.send(msg(A, NodeId.of("nobody")));
    assertEquals(1, network.droppedMessages());
  }

  @Test
  void closedTransportNeitherSendsNorReceives() {
    b.close();
    a.send(msg(A, B));
    b.send(msg(B, A));
    assertTrue(atB.isEmpty() && atA.isEmpty());
    assertEquals(1, network.droppedMessages());
  }

  @Test
  void messageToTransportNotYetStartedIsDropped() {
    InMemoryNetwork fresh = new InMemoryNetwork();
    Transport sender = fresh.transport(A);
    fresh.transport(B);
    sender.send(msg(A, B));
    assertEquals(1, fresh.droppedMessages());
  }

  @Test
  void disconnectedNodeNeitherSendsNorReceivesUntilReconnected() {
    network.disconnect(B);
    a.send(msg(A, B));
    b.send(msg(B, C));
    assertTrue(atB.isEmpty() && atC.isEmpty());
    network.reconnect(B);
    a.send(msg(A, B));
    assertEquals(1, atB.size());
  }

  @Test
  void partitionPassesMessagesOnlyWithinASet() {
    network.partition(Set.of(A, B), Set.of(C));
    a.send(msg(A, B));
    a.send(msg(A, C));
    c.send(msg(C, B));
    assertEquals(1, atB.size());
    assertTrue(atC.isEmpty());
    network.heal();
    a.send(msg(A, C));
    assertEquals(1, atC.size());
  }

  @Test
  void nodeInNoSetOfAPartitionIsIsolated() {
    network.partition(Set.of(A, B));
    a.send(msg(A, C));
    c.send(msg(C, A));
    assertTrue(atC.isEmpty() && atA.isEmpty());
  }

  @Test
  void partitionRejectsANodeInTwoSets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> network.partition(Set.of(A, B), Set.of(B)));
    assertEquals("node b is in two sets of the partition", e.getMessage());
  }

  @Test
  void secondOpenTransportForTheSameNodeIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> network.transport(A));
    assertEquals("node a already has an open transport on this network", e.getMessage());
    a.send(msg(A, B));
    assertEquals(1, atB.size(), "the refused registration must not replace the open transport");
  }

  @Test
  void restartedNodeGetsANewTransportAfterClosingTheOld() {
    b.close();
    Transport again = network.transport(B);
    List<RaftMessage> received = new CopyOnWriteArrayList<>();
    again.start(received::add);
    a.send(msg(A, B));
    assertEquals(1, received.size());
  }

  @Test
  void startingTwiceIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.start(m -> {}));
    assertEquals("transport of a was already started", e.getMessage());
  }

  @Test
  void handlerThatThrowsLosesOnlyThatMessage() {
    InMemoryNetwork fresh = new InMemoryNetwork();
    Transport sender = fresh.transport(A);
    Transport receiver = fresh.transport(B);
    sender.start(m -> {});
    receiver.start(m -> {
      throw new IllegalStateException("boom");
    });
    sender.send(msg(A, B));
    assertEquals(1, fresh.droppedMessages());
  }
}
