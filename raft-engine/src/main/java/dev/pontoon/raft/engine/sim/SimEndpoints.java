package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.runtime.TickSource;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;

/**
 * The edges of one incarnation of a {@link RuntimeNode}: its tick source, fired by the
 * simulator's tick events, and its transport, whose sends go to the simulated network and whose
 * inbound handler receives what the network delivers. Both go silent when the node crashes.
 */
final class SimEndpoints implements TickSource, Transport {

  private final Simulation sim;
  private Runnable onTick;
  private InboundHandler inbound;
  private boolean ticksClosed;
  private boolean transportClosed;
  private boolean alive = true;

  SimEndpoints(Simulation sim) {
    this.sim = sim;
  }

  // ---------------------------------------------------------------- TickSource

  @Override
  public void start(Runnable onTick) {
    this.onTick = onTick;
  }

  /** One tick of this node's clock passed. */
  void fireTick() {
    if (alive && !ticksClosed && onTick != null) {
      onTick.run();
    }
  }

  // ---------------------------------------------------------------- Transport

  @Override
  public void start(InboundHandler inbound) {
    this.inbound = inbound;
  }

  @Override
  public void send(RaftMessage message) {
    if (alive && !transportClosed) {
      sim.send(message);
    }
  }

  /** The network delivers {@code message} to this node. */
  void deliver(RaftMessage message) {
    if (alive && !transportClosed && inbound != null) {
      inbound.onMessage(message);
    }
  }

  /** Closes both: the runtime closes its tick source and its transport on stop. */
  @Override
  public void close() {
    ticksClosed = true;
    transportClosed = true;
  }

  /** The node crashed: nothing goes in or out any more. */
  void kill() {
    alive = false;
  }
}
