package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;

/**
 * The last events of a run, kept cheaply and printed only when a seed fails, and a running hash
 * of every event, from fields that do not depend on the JVM (no identity hashes), so that the
 * same seed gives the same hash in any process.
 */
final class Trace {
  private final Object[] recent;
  private final long[] times;
  private int next;
  private long count;
  private long hash = 0xcbf29ce484222325L;
  /** Events after this time are hashed and counted but not kept. */
  private long keepUntil = Long.MAX_VALUE;

  Trace(int capacity) {
    recent = new Object[capacity];
    times = new long[capacity];
  }

  /** From now on keeps only events up to {@code time}, so that the kept ones end there. */
  void keepUntil(long time) {
    keepUntil = time;
  }

  /** Records one event: a description or an {@link Event} rendered on demand. */
  void record(long time, Object event, long fingerprint) {
    if (recent.length > 0 && time <= keepUntil) {
      recent[next] = event;
      times[next] = time;
      next = (next + 1) % recent.length;
    }
    count++;
    hash = mix(mix(hash, time), fingerprint);
  }

  long hash() {
    return hash;
  }

  long count() {
    return count;
  }

  /** The kept events, oldest first, one per line. */
  String render() {
    StringBuilder sb = new StringBuilder();
    int kept = (int) Math.min(count, recent.length);
    for (int i = 0; i < kept; i++) {
      int slot = (int) ((next - kept + i + recent.length) % recent.length);
      sb.append("  t=").append(times[slot]).append(' ').append(recent[slot]).append('\n');
    }
    return sb.toString();
  }

  static long mix(long h, long value) {
    h ^= value;
    h *= 0x100000001b3L;
    return h ^ (h >>> 29);
  }

  /** A hash of a message's content that is the same in every JVM. */
  static long fingerprint(RaftMessage m) {
    long h = mix(mix(m.from().value().hashCode(), m.to().value().hashCode()), m.term());
    if (m instanceof AppendEntries a) {
      h = mix(mix(mix(mix(mix(mix(h, 1), a.prevLogIndex()), a.prevLogTerm()), a.entries().size()),
          a.leaderCommit()), a.sequence());
    } else if (m instanceof AppendEntriesResponse r) {
      h = mix(mix(mix(mix(mix(h, r.success() ? 2 : 3), r.matchIndex()), r.conflictTerm()), r.conflictIndex()),
          r.sequence());
    } else if (m instanceof RequestVote v) {
      h = mix(mix(mix(h, v.preVote() ? 4 : 5), v.lastLogIndex()), v.lastLogTerm());
    } else if (m instanceof RequestVoteResponse r) {
      h = mix(h, (r.voteGranted() ? 6 : 7) + (r.preVote() ? 10 : 0));
    } else {
      h = mix(h, m.getClass().getSimpleName().hashCode());
    }
    return h;
  }
}
