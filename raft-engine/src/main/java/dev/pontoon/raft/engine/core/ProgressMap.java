package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable {@link CoreStatus#progress()} of a leader: the members' ids and their
 * {@code matchIndex}/{@code nextIndex} in arrays, in the order given (the leader first, then its
 * followers in id order), with a {@link CoreStatus.PeerProgress} made only when asked for.
 *
 * <p>Why not {@link Map#copyOf}: a leader's status is built after most loop batches, and a
 * hashed map of fresh records per build cost several per cent of a leader's loop in the
 * in-memory benchmark; most statuses are never asked for their progress. A cluster has a handful
 * of members, so {@link #get} scans. {@code RaftCore.status(previous)} compares a previous map
 * with the leader's progress in place and shares its ids array with the next map.
 */
final class ProgressMap extends AbstractMap<NodeId, CoreStatus.PeerProgress> {

  private final NodeId[] ids;
  /** {@code matchIndex} then {@code nextIndex} of {@code ids[i]}, at {@code 2i} and {@code 2i + 1}. */
  private final long[] indexes;
  private final int size;

  /**
   * Takes the arrays, which the caller must not change afterwards (final fields: a map shared
   * through a data race still shows them filled).
   *
   * @param ids distinct, non-null member ids
   * @param indexes {@code matchIndex} then {@code nextIndex} of each id, twice as long as {@code ids}
   */
  ProgressMap(NodeId[] ids, long[] indexes) {
    if (indexes.length != 2 * ids.length) {
      throw new IllegalArgumentException(ids.length + " ids need " + 2 * ids.length + " indexes, not " + indexes.length);
    }
    this.ids = ids;
    this.indexes = indexes;
    this.size = ids.length;
  }

  /** The ids, shared: a caller must not change the array (a later map may reuse it, see RaftCore.status). */
  NodeId[] ids() {
    return ids;
  }

  long matchIndex(int i) {
    return indexes[2 * i];
  }

  long nextIndex(int i) {
    return indexes[2 * i + 1];
  }

  /** Whether the ids are {@code first} followed by {@code rest}, in its iteration order. */
  boolean hasIds(NodeId first, Collection<NodeId> rest) {
    if (size != 1 + rest.size() || !ids[0].equals(first)) {
      return false;
    }
    int i = 1;
    for (NodeId id : rest) {
      if (!ids[i++].equals(id)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the indexes from position {@code from} on are those of {@code progress}, in its order. */
  boolean hasIndexesFrom(int from, Collection<Progress> progress) {
    int i = from;
    for (Progress pr : progress) {
      if (i >= size || indexes[2 * i] != pr.matchIndex || indexes[2 * i + 1] != pr.nextIndex) {
        return false;
      }
      i++;
    }
    return i == size;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public CoreStatus.PeerProgress get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : progressAt(i);
  }

  private int indexOf(Object key) {
    Objects.requireNonNull(key, "key");
    for (int i = 0; i < size; i++) {
      if (ids[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private CoreStatus.PeerProgress progressAt(int i) {
    return new CoreStatus.PeerProgress(indexes[2 * i], indexes[2 * i + 1]);
  }

  @Override
  public Set<Entry<NodeId, CoreStatus.PeerProgress>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<NodeId, CoreStatus.PeerProgress>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<NodeId, CoreStatus.PeerProgress> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(ids[i], progressAt(i));
          }
        };
      }
    };
  }
}
