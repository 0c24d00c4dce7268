package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configurations a node's log holds, and so the one in force (Raft thesis §4.1): "a server
 * always uses the latest configuration in its log, regardless of whether the entry is committed".
 * It takes effect when its entry is appended, and a truncation of a conflicting suffix that
 * removes it brings the one before it back.
 *
 * <p>Holds a base — the configuration of the latest snapshot, or the one the node was started
 * with, valid at {@code baseIndex} — and every CONFIGURATION entry after it, by index. The
 * configuration at any index of the view is then the latest one at or before it (what a snapshot
 * taken there must record, §7).
 */
final class Configurations {

  private ClusterConfig base;
  private long baseIndex;
  private final TreeMap<Long, ClusterConfig> inLog = new TreeMap<>();

  /** @param base the configuration at {@code baseIndex}, or null if none is known (a joining node) */
  Configurations(ClusterConfig base, long baseIndex) {
    this.base = base;
    this.baseIndex = baseIndex;
  }

  /** The configuration in force: the latest in the log, else the base; null when none is known. */
  ClusterConfig current() {
    Map.Entry<Long, ClusterConfig> last = inLog.lastEntry();
    return last != null ? last.getValue() : base;
  }

  /** Index of the entry holding {@link #current()} (the base's index when the log holds none). */
  long currentIndex() {
    Map.Entry<Long, ClusterConfig> last = inLog.lastEntry();
    return last != null ? last.getKey() : baseIndex;
  }

  /** The configuration in force at {@code index}: the latest at or before it. */
  ClusterConfig at(long index) {
    Map.Entry<Long, ClusterConfig> e = inLog.floorEntry(index);
    return e != null ? e.getValue() : base;
  }

  /**
   * Entries were appended, replacing every entry from the first one's index on (§5.3); returns
   * whether the configuration in force changed.
   *
   * @throws IllegalArgumentException if a CONFIGURATION entry does not decode
   */
  boolean appended(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return false;
    }
    ClusterConfig before = current();
    long first = entries.get(0).index();
    // Appends almost never hold a configuration or replace one: skip the map unless they do.
    boolean changed = !inLog.isEmpty() && inLog.lastKey() >= first;
    if (changed) {
      inLog.tailMap(first, true).clear();
    }
    for (int i = 0; i < entries.size(); i++) {
      LogEntry e = entries.get(i);
      if (e.kind() == EntryKind.CONFIGURATION) {
        inLog.put(e.index(), ClusterConfig.fromBytes(e.payload()));
        changed = true;
      }
    }
    return changed && !java.util.Objects.equals(before, current());
  }

  /**
   * A snapshot up to {@code index} with {@code config} now starts the view: entries at or below
   * it are forgotten. With {@code replacesLog} (a snapshot installed from a leader, §7) every
   * entry after it is gone too. Returns whether the configuration in force changed.
   */
  boolean snapshot(long index, ClusterConfig config, boolean replacesLog) {
    if (index < baseIndex) {
      return false;
    }
    ClusterConfig before = current();
    if (replacesLog) {
      inLog.clear();
    } else {
      inLog.headMap(index, true).clear();
    }
    base = config;
    baseIndex = index;
    return !java.util.Objects.equals(before, current());
  }

  @Override
  public String toString() {
    return "configs[base@" + baseIndex + "=" + base + ", log=" + new TreeMap<>(inLog) + "]";
  }
}
