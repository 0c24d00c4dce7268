package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A transport around a real one that lets a test freeze the event loop and talk to it directly:
 * while held, the next {@code send} (which runs on the loop) blocks until released, so that what
 * the test queues meanwhile reaches the loop as one batch; {@link #inject} hands the node a
 * message as if a peer had sent it; {@link #beforeSend} watches each message on its way out.
 * Blocking in {@code send} breaks the Transport contract on purpose, to pin the loop in place.
 */
final class GatedTransport extends ForwardingTransport {

  private volatile InboundHandler inbound;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile boolean blocked;
  private final Map<NodeId, AppendEntries> lastAppend = new ConcurrentHashMap<>();
  private volatile Consumer<RaftMessage> beforeSend = message -> { };

  GatedTransport(Transport delegate) {
    super(delegate);
  }

  /** From now on the next send blocks until {@link #release()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  /** Lets a blocked send, and every later one, go. */
  void release() {
    gate.countDown();
  }

  /** Whether a send is blocked in the gate, i.e. the loop is pinned. */
  boolean isBlocked() {
    return blocked;
  }

  /** The last AppendEntries this node sent to {@code peer}, or null. */
  AppendEntries lastAppendTo(NodeId peer) {
    return lastAppend.get(peer);
  }

  /** Runs {@code hook} on the sending thread (the loop) for each message, just before it leaves. */
  void beforeSend(Consumer<RaftMessage> hook) {
    beforeSend = hook;
  }

  /** Delivers {@code message} to this node as if it came from the network. */
  void inject(RaftMessage message) {
    inbound.onMessage(message);
  }

  @Override
  public void start(InboundHandler handler) {
    inbound = handler;
    delegate.start(handler);
  }

  @Override
  public void send(RaftMessage message) {
    CountDownLatch current = gate;
    if (current.getCount() > 0) {
      blocked = true;
      try {
        current.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        blocked = false;
      }
    }
    if (message instanceof AppendEntries append) {
      lastAppend.put(append.to(), append);
    }
    beforeSend.accept(message);
    delegate.send(message);
  }

  @Override
  public void close() {
    release();
    delegate.close();
  }
}
