package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.runtime.NodeRuntime;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.engine.runtime.TaskQueue;
import java.util.function.Consumer;

/**
 * The {@link NodeScheduler} of one incarnation of a {@link RuntimeNode}: its queues run on the
 * simulator's thread when the simulator says, after a delay drawn from the seed for each kind of
 * work (a slow disk makes the sync queue wait longest), and its clock is the virtual clock seen
 * through this node's own rate, so that clocks drift apart within the bound lease reads assume.
 */
final class SimScheduler implements NodeScheduler {

  /** Nanoseconds in one virtual time unit: a unit is a millisecond, a tick ten. */
  static final long NANOS_PER_UNIT = 1_000_000;

  private final Simulation sim;
  private final RuntimeNode node;
  private final double clockRate;
  private final long startedAt;
  private final int batchCap;
  private boolean alive = true;
  private NodeRuntime runtime;
  private boolean holdDetached;
  private Runnable held;

  /**
   * @param clockRate how fast this node's clock runs against virtual time, in (0, 1]
   * @param batchCap most items in one batch of any queue (the seed draws it: 1 forces one
   *     item per batch, a large one lets work pile up as it does under load)
   */
  SimScheduler(Simulation sim, RuntimeNode node, double clockRate, int batchCap) {
    this.sim = sim;
    this.node = node;
    this.clockRate = clockRate;
    this.startedAt = sim.now();
    this.batchCap = batchCap;
  }

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return new SimQueue<>(this, name, Math.min(maxBatch, batchCap), handler, onFailure);
  }

  @Override
  public long nanoTime() {
    // Any start value will do (nanoTime has no origin); a large one catches code that assumes 0.
    return (1L << 40) + (long) ((sim.now() - startedAt) * clockRate * NANOS_PER_UNIT);
  }

  @Override
  public Detached runDetached(String name, Runnable task) {
    if (holdDetached) {
      held = task; // the caller runs it at once (see holdNextDetached)
      holdDetached = false;
      return () -> {};
    }
    schedule(ofThisIncarnation(name, task));
    // Nothing can wait on the simulator's one thread; the task runs at its turn.
    return () -> {};
  }

  /** At a virtual time: at least one unit later, as this node's clock counts, however short the delay. */
  @Override
  public void runLater(long delayNanos, Runnable task) {
    long units = Math.max(1, (long) Math.ceil(delayNanos / clockRate / NANOS_PER_UNIT));
    sim.scheduleTask(node, ofThisIncarnation("timer", task), units);
  }

  /** {@code task} as a simulator task that a crash of this incarnation cancels. */
  private SimTask ofThisIncarnation(String name, Runnable task) {
    return new SimTask() {
      @Override
      public void run() {
        task.run();
      }

      @Override
      public boolean isLive() {
        return alive;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  @Override
  public void attach(NodeRuntime runtime) {
    this.runtime = runtime;
  }

  /** The runtime this scheduler runs, once attached. */
  NodeRuntime runtime() {
    return runtime;
  }

  boolean isAlive() {
    return alive;
  }

  /**
   * The next detached task (a stop) is not scheduled but held for {@link #takeHeld}, so that the
   * caller runs it at once, without a draw from the seed's generator.
   */
  void holdNextDetached() {
    holdDetached = true;
  }

  /** The detached task held by {@link #holdNextDetached}, or null; taken once. */
  Runnable takeHeld() {
    Runnable task = held;
    held = null;
    return task;
  }

  /** The node crashed: nothing of this incarnation runs again. */
  void kill() {
    alive = false;
  }

  /** Queues {@code task} to run after a delay drawn for its kind of work. */
  void schedule(SimTask task) {
    String name = task.name();
    int bound;
    if (name.endsWith("-sync")) {
      bound = sim.maxSyncDelay();
    } else if (name.endsWith("-snapshot")) {
      bound = 20;
    } else if (name.endsWith("-apply")) {
      bound = 3;
    } else {
      bound = 1;
    }
    sim.scheduleTask(node, task, sim.random().nextInt(bound + 1));
  }
}
