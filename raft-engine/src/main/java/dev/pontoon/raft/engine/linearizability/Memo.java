package dev.pontoon.raft.engine.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Search} has placed, and the configurations it has explored: per set of placed
 * completed operations and state, the sets of pending operations (unknown outcome) that were used.
 * The memory the entries take is estimated as they are added and bounded: past the bound, {@link
 * #visit} answers {@link Visit#FULL} and the search gives up.
 *
 * <p>Not thread-safe; one per search.
 */
final class Memo {

  /** What {@link #visit} found. */
  enum Visit {
    /** Not explored before: now recorded. */
    FIRST,
    /** Explored before, with no more pending operations used: nothing new to find there. */
    SEEN,
    /** The step allowance ran out before the answer was known; nothing recorded. */
    OUT_OF_STEPS,
    /** Recording it would pass the memory bound; nothing recorded. */
    FULL
  }

  /*
   * Implementation notes. Completed operations are numbered in order of invocation. The search
   * places an operation only while its invocation precedes the first response not yet placed, so
   * with u the first operation not placed, every placed operation after u was invoked before u's
   * response: the placed set is "all before u" plus a window of the operations invoked during u's
   * interval. A key holds that window only (words low to high of the bitset), not the whole set,
   * so a long history no longer makes every entry long. Entries are estimated at ENTRY_BYTES plus
   * their arrays (compressed references; the states are the model's and not counted).
   */

  /** Estimated heap of one entry besides its window: map node and table slot, key, array header. */
  static final long ENTRY_BYTES = 96;
  /** Estimated heap of the list that holds a second and further pending sets of one entry. */
  private static final long LIST_BYTES = 80;
  private static final int[] NONE = new int[0];

  private final long[] placed;
  /** The bits of the last word of {@link #placed} that stand for operations. */
  private final long lastWord;
  /** The first word of {@link #placed} with an operation not placed; all before it are placed. */
  private int low;
  /** One past the last word of {@link #placed} with an operation placed; none from it on are. */
  private int high;
  private final long[] placedPending;
  /** Per configuration, the pending sets used: an {@code int[]} of indexes, or a list of them. */
  private final Map<Key, Object> seen = new HashMap<>();
  private final long byteBudget;
  private long bytes;
  /** Comparisons and records made: steps of the search. */
  private long work;

  Memo(int completed, int pending, long byteBudget) {
    placed = new long[(completed + 63) >>> 6];
    lastWord = completed % 64 == 0 ? -1L : (1L << completed) - 1;
    placedPending = new long[(pending + 63) >>> 6];
    this.byteBudget = byteBudget;
  }

  /** Marks completed operation {@code i} placed, or not placed when it was. */
  void flip(int i) {
    int w = i >>> 6;
    placed[w] ^= 1L << i;
    if ((placed[w] & (1L << i)) != 0) {
      while (low < placed.length && placed[low] == (low == placed.length - 1 ? lastWord : -1L)) {
        low++;
      }
      high = Math.max(high, w + 1);
    } else {
      low = Math.min(low, w);
      while (high > low && placed[high - 1] == 0) {
        high--;
      }
    }
  }

  /** Marks pending operation {@code u} used, or not used when it was. */
  void flipPending(int u) {
    placedPending[u >>> 6] ^= 1L << u;
  }

  boolean isPendingPlaced(int u) {
    return (placedPending[u >>> 6] & (1L << u)) != 0;
  }

  /**
   * Looks up the configuration of the operations placed now and {@code state}: {@link Visit#SEEN}
   * if it was explored with a subset of the pending operations used now, else records it. Each
   * comparison and the record are a step; no more than {@code allowance} are taken.
   */
  Visit visit(Object state, long allowance) {
    Key key = new Key(low, Arrays.copyOfRange(placed, low, Math.max(low, high)), state);
    Object used = seen.get(key);
    long spent = 0;
    if (used instanceof int[] one) {
      if (spent++ >= allowance) {
        return Visit.OUT_OF_STEPS;
      }
      work++;
      if (usedAll(one)) {
        return Visit.SEEN;
      }
    } else if (used != null) {
      for (int[] set : list(used)) {
        if (spent++ >= allowance) {
          return Visit.OUT_OF_STEPS;
        }
        work++;
        if (usedAll(set)) {
          return Visit.SEEN;
        }
      }
    }
    if (spent >= allowance) {
      return Visit.OUT_OF_STEPS;
    }
    int[] now = pendingUsed();
    long cost = (used == null ? ENTRY_BYTES + 8L * key.window.length : 0)
        + (now.length == 0 ? 0 : 16 + 4L * now.length) + (used instanceof int[] ? LIST_BYTES : used == null ? 0 : 8);
    if (bytes + cost > byteBudget) {
      return Visit.FULL;
    }
    work++;
    bytes += cost;
    if (used == null) {
      seen.put(key, now);
    } else if (used instanceof int[] one) {
      List<int[]> sets = new ArrayList<>(4);
      sets.add(one);
      sets.add(now);
      seen.put(key, sets);
    } else {
      list(used).add(now);
    }
    return Visit.FIRST;
  }

  /** Steps taken by {@link #visit} so far. */
  long work() {
    return work;
  }

  @SuppressWarnings("unchecked")
  private static List<int[]> list(Object used) {
    return (List<int[]>) used;
  }

  /** Whether every pending operation in {@code set} is used now. */
  private boolean usedAll(int[] set) {
    for (int u : set) {
      if (!isPendingPlaced(u)) {
        return false;
      }
    }
    return true;
  }

  private int[] pendingUsed() {
    int n = 0;
    for (long w : placedPending) {
      n += Long.bitCount(w);
    }
    if (n == 0) {
      return NONE;
    }
    int[] out = new int[n];
    int k = 0;
    for (int w = 0; w < placedPending.length; w++) {
      for (long bits = placedPending[w]; bits != 0; bits &= bits - 1) {
        out[k++] = (w << 6) + Long.numberOfTrailingZeros(bits);
      }
    }
    return out;
  }

  /** A configuration: the placed completed operations (as a window, see above) and the state. */
  private static final class Key {
    private final int low;
    private final long[] window;
    private final Object state;
    private final int hash;

    Key(int low, long[] window, Object state) {
      this.low = low;
      this.window = window;
      this.state = state;
      this.hash = (31 * low + Arrays.hashCode(window)) * 31 + Objects.hashCode(state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && hash == k.hash && low == k.low && Arrays.equals(window, k.window)
          && Objects.equals(state, k.state);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
