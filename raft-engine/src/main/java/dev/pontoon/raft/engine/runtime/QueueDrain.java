package dev.pontoon.raft.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * What a stopping queue ({@link BatchingThread}, {@link SharedEventLoop}) does with the items it
 * will never handle: a batch taken when the stop came goes back in front of whatever is still
 * queued, and {@code drain()} hands them all to the caller, which fails what waits on them.
 */
final class QueueDrain {

  private QueueDrain() {}

  /** Puts {@code batch} back in front of the items still in {@code queue}, in order. */
  static void requeue(Queue<Object> queue, List<?> batch) {
    List<Object> rest = new ArrayList<>(batch);
    Object o;
    while ((o = queue.poll()) != null) {
      rest.add(o);
    }
    queue.addAll(rest);
  }

  /** Empties {@code queue} and returns its items, in order, without {@code marker}. */
  @SuppressWarnings("unchecked")
  static <T> List<T> drain(Queue<Object> queue, Object marker) {
    List<T> items = new ArrayList<>();
    Object o;
    while ((o = queue.poll()) != null) {
      if (o != marker) {
        items.add((T) o);
      }
    }
    return items;
  }
}
