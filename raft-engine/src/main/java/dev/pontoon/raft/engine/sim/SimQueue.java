package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.runtime.TaskQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A runtime queue under simulation: items wait until the simulator runs the queue's next batch,
 * at a time drawn from the seed, so that the node's loop, sync, apply and snapshot work
 * interleave in any order their threads could, while one thread runs them all.
 *
 * <p>Like a production queue it hands its handler batches in queue order, one at a time, and
 * ends (taking nothing more) once its handler threw.
 */
final class SimQueue<T> implements TaskQueue<T>, SimTask {

  private final SimScheduler scheduler;
  private final String name;
  private final int maxBatch;
  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private boolean started;
  private boolean scheduled;
  private boolean running;
  private boolean stopping;
  private boolean ended;

  SimQueue(SimScheduler scheduler, String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    this.scheduler = scheduler;
    this.name = name;
    this.maxBatch = maxBatch;
    this.handler = handler;
    this.onFailure = onFailure;
  }

  @Override
  public void start() {
    started = true;
    wake();
  }

  @Override
  public boolean offer(T item) {
    if (stopping) {
      return false;
    }
    items.add(item);
    wake();
    return true;
  }

  @Override
  public void stop() {
    stopping = true;
  }

  @Override
  public boolean isStopping() {
    return stopping;
  }

  @Override
  public List<T> drain() {
    List<T> rest = new ArrayList<>(items);
    items.clear();
    return rest;
  }

  @Override
  public boolean isCurrentThread() {
    return running;
  }

  @Override
  public void run() {
    scheduled = false;
    if (stopping || ended || !scheduler.isAlive()) {
      return;
    }
    List<T> batch = new ArrayList<>();
    while (!items.isEmpty() && batch.size() < maxBatch) {
      batch.add(items.poll());
    }
    running = true;
    try {
      handler.handle(batch);
    } catch (Throwable t) {
      ended = true;
      if (scheduler.isAlive()) {
        onFailure.accept(t);
      } // else the node crashed inside this batch (a SimulatedCrash): a dead process reports nothing
    } finally {
      running = false;
    }
    wake();
  }

  @Override
  public boolean isLive() {
    return scheduler.isAlive();
  }

  @Override
  public String name() {
    return name;
  }

  private void wake() {
    if (started && !scheduled && !stopping && !ended && !items.isEmpty()) {
      scheduled = true;
      scheduler.schedule(this);
    }
  }
}
