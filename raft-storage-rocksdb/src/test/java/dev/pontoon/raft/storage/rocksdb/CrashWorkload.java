package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stream of log store writes, the same for a given seed and starting image: the
 * crash child performs it on a real store, and the parent replays it on a {@link LogImage} to
 * know every state the store may legally recover to.
 *
 * <p>Rounds model what a Raft follower does: appends in the current term (group-committed), a
 * new leader's conflicting suffix (save the new term, truncate, append entries whose payload
 * names their term), compaction after a snapshot, and a snapshot past the end of the log. Every
 * round ends with a sync. Entry payloads are derived from index and term only.
 */
final class CrashWorkload {
  /** One write, applied in the same way to the store and to the model. */
  sealed interface Op {}

  record SaveHardState(HardState state) implements Op {}

  record Append(List<LogEntry> entries) implements Op {}

  record TruncateSuffix(long fromIndex) implements Op {}

  record TruncatePrefix(long lastIncludedIndex, long lastIncludedTerm) implements Op {}

  record Sync() implements Op {}

  static final int PAYLOAD_BYTES = 128;
  private static final int MAX_LOG = 2_000;

  /** Which rounds the workload plays. */
  enum Mix {
    /** Every kind of round. */
    ALL,
    /** Only a new leader's conflicting suffix (plus compaction to bound the log). */
    CONFLICTS
  }

  private final SplittableRandom random;
  private final Mix mix;
  private final LogImage model;
  private final Deque<Op> round = new ArrayDeque<>();

  CrashWorkload(long seed, Mix mix, LogImage start) {
    this.random = new SplittableRandom(seed);
    this.mix = mix;
    this.model = start.copy();
  }

  /** The model after every op returned so far. */
  LogImage model() {
    return model;
  }

  /** The next op; the model already reflects it. */
  Op next() {
    if (round.isEmpty()) {
      planRound();
    }
    Op op = round.removeFirst();
    applyTo(model, op);
    return op;
  }

  static void applyTo(LogStore store, Op op) {
    if (op instanceof SaveHardState s) {
      store.saveHardState(s.state());
    } else if (op instanceof Append a) {
      store.append(a.entries());
    } else if (op instanceof TruncateSuffix t) {
      store.truncateSuffix(t.fromIndex());
    } else if (op instanceof TruncatePrefix p) {
      store.truncatePrefix(p.lastIncludedIndex(), p.lastIncludedTerm());
    } else {
      store.sync();
    }
  }

  private static void applyTo(LogImage image, Op op) {
    if (op instanceof SaveHardState s) {
      image.saveHardState(s.state());
    } else if (op instanceof Append a) {
      image.append(a.entries());
    } else if (op instanceof TruncateSuffix t) {
      image.truncateSuffix(t.fromIndex());
    } else if (op instanceof TruncatePrefix p) {
      image.truncatePrefix(p.lastIncludedIndex(), p.lastIncludedTerm());
    }
  }

  /** The payload of the entry at {@code index} written in {@code term}. */
  static Bytes payload(long index, long term) {
    byte[] bytes = new byte[PAYLOAD_BYTES];
    new SplittableRandom(index * 1_000_003L + term).nextBytes(bytes);
    return Bytes.wrap(bytes);
  }

  private void planRound() {
    // Plan against a private copy so that the ops of one round build on each other.
    LogImage plan = model.copy();
    long term = Math.max(Math.max(plan.hardState.currentTerm(), plan.lastTerm()), 1);
    int dice = mix == Mix.CONFLICTS ? 60 + random.nextInt(20) : random.nextInt(100);
    if (plan.entries.size() > MAX_LOG || (dice >= 80 && dice < 90 && !plan.entries.isEmpty())) {
      long index = plan.firstIndex + random.nextLong(plan.entries.size() / 2 + 1);
      add(plan, new TruncatePrefix(index, plan.termAt(index)));
    } else if (dice >= 90 && dice < 93) {
      add(plan, new TruncatePrefix(plan.lastIndex() + 1 + random.nextInt(10), term));
    } else if (dice >= 60 && dice < 80) {
      long newTerm = term + 1;
      add(plan, new SaveHardState(new HardState(newTerm, NodeId.of("n" + (1 + random.nextInt(3))))));
      long from = Math.max(plan.firstIndex, plan.lastIndex() + 1 - random.nextInt(30));
      add(plan, new TruncateSuffix(from));
      add(plan, new Append(entries(plan.lastIndex() + 1, 1 + random.nextInt(30), newTerm)));
    } else if (dice >= 93 && dice < 95) {
      // A commit index within the log, as the runtime saves it (never ahead of the log).
      long commit = plan.firstIndex - 1 + random.nextLong(plan.entries.size() + 1);
      add(plan, new SaveHardState(new HardState(term, null, commit)));
    } else if (dice < 60) {
      int appends = 1 + random.nextInt(3);
      for (int i = 0; i < appends; i++) {
        add(plan, new Append(entries(plan.lastIndex() + 1, 1 + random.nextInt(64), term)));
      }
    }
    round.addLast(new Sync());
  }

  private void add(LogImage plan, Op op) {
    applyTo(plan, op);
    round.addLast(op);
  }

  private static List<LogEntry> entries(long from, int count, long term) {
    List<LogEntry> out = new ArrayList<>(count);
    for (long i = from; i < from + count; i++) {
      out.add(LogEntry.command(i, term, payload(i, term)));
    }
    return out;
  }
}
