package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.Transport;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process hub that connects the {@link Transport}s of nodes running in one JVM, with
 * faults for tests: a node can be disconnected, and the nodes split into partitions.
 *
 * <p>{@link #transport(NodeId)} gives a node its transport. A message sent on it is handed
 * straight to the target's inbound handler, on the sender's thread (the handler only enqueues),
 * or dropped when the target is unknown, closed, not yet started, disconnected, or on the other
 * side of a partition. Dropped messages are counted ({@link #droppedMessages()}).
 *
 * <p><b>Threading.</b> Every method is thread-safe; faults take effect for messages sent after
 * the call returns.
 */
public final class InMemoryNetwork {

  private final Map<NodeId, InMemoryTransport> transports = new ConcurrentHashMap<>();
  private final Set<NodeId> disconnected = ConcurrentHashMap.newKeySet();
  /** Partition number of each node listed in the last {@link #partition}; empty when healed. */
  private volatile Map<NodeId, Integer> partitions = Map.of();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();

  /**
   * A new transport for {@code id}, replacing a closed one (a restarted node).
   *
   * @throws IllegalStateException if an open transport for {@code id} exists
   */
  public Transport transport(NodeId id) {
    Objects.requireNonNull(id, "id");
    InMemoryTransport fresh = new InMemoryTransport(id, this);
    InMemoryTransport previous = transports.put(id, fresh);
    if (previous != null && !previous.isClosed()) {
      transports.put(id, previous);
      throw new IllegalStateException("node " + id + " already has an open transport on this network");
    }
    return fresh;
  }

  /** Cuts {@code id} off: it neither sends nor receives until {@link #reconnect} or {@link #heal}. */
  public void disconnect(NodeId id) {
    disconnected.add(Objects.requireNonNull(id, "id"));
  }

  /** Undoes {@link #disconnect} for {@code id}. */
  public void reconnect(NodeId id) {
    disconnected.remove(Objects.requireNonNull(id, "id"));
  }

  /**
   * Splits the network: a message passes only between two nodes of the same set. Nodes in no
   * set are cut off from everyone. Replaces any earlier partition.
   *
   * @throws IllegalArgumentException if a node is in two sets
   */
  @SafeVarargs
  public final void partition(Set<NodeId>... sets) {
    Map<NodeId, Integer> next = new ConcurrentHashMap<>();
    for (int i = 0; i < sets.length; i++) {
      for (NodeId id : sets[i]) {
        if (next.putIfAbsent(id, i) != null) {
          throw new IllegalArgumentException("node " + id + " is in two sets of the partition");
        }
      }
    }
    partitions = Map.copyOf(next);
  }

  /** Removes every partition and reconnects every disconnected node. */
  public void heal() {
    partitions = Map.of();
    disconnected.clear();
  }

  /** How many messages were dropped so far. */
  public long droppedMessages() {
    return dropped.get();
  }

  /** How many messages were handed to an inbound handler so far. */
  public long deliveredMessages() {
    return delivered.get();
  }

  /** Hands {@code message} to its target's handler, or drops it. Never throws. */
  void deliver(RaftMessage message) {
    InMemoryTransport target = transports.get(message.to());
    if (target == null || !canPass(message.from(), message.to()) || !target.receive(message)) {
      dropped.incrementAndGet();
      return;
    }
    delivered.incrementAndGet();
  }

  private boolean canPass(NodeId from, NodeId to) {
    if (disconnected.contains(from) || disconnected.contains(to)) {
      return false;
    }
    Map<NodeId, Integer> current = partitions;
    if (current.isEmpty()) {
      return true;
    }
    Integer a = current.get(from);
    return a != null && a.equals(current.get(to));
  }
}
