package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One core and its store, driven by hand: {@link #persist()} carries out a Ready as a runtime
 * would (write, sync, advance, report its committed entries applied) and returns it for exact
 * assertions.
 */
final class CoreUnderTest {

  final RaftCore core;
  final InMemoryLogStore store;

  CoreUnderTest(NodeId id, int clusterSize, RaftConfig config, InMemoryLogStore store) {
    this.store = store;
    this.core = Fixtures.core(id, clusterSize, config, store);
  }

  CoreUnderTest(NodeId id, int clusterSize, RaftConfig config) {
    this(id, clusterSize, config, new InMemoryLogStore());
  }

  /** A follower n1 in a cluster of {@code size}, with a log of {@code terms} and current term {@code term}. */
  static CoreUnderTest follower(int size, long term, long... terms) {
    return new CoreUnderTest(Fixtures.N1, size, Fixtures.plain(), Fixtures.store(term, null, terms));
  }

  /**
   * n1 elected leader of a cluster of {@code size} (plain config) from a log of {@code terms} at
   * term {@code term}: it campaigned, won, and persisted its no-op. Nothing else is pending.
   */
  static CoreUnderTest leader(int size, RaftConfig config, long term, long... terms) {
    CoreUnderTest c = new CoreUnderTest(Fixtures.N1, size, config, Fixtures.store(term, null, terms));
    c.core.campaign();
    if (c.core.role() == Role.PRE_CANDIDATE) {
      for (int i = 2; i <= size / 2 + 1; i++) {
        c.core.step(new RequestVoteResponse(Fixtures.n(i), Fixtures.N1, term + 1, true, true));
      }
    }
    for (int i = 2; i <= size / 2 + 1; i++) {
      c.core.step(new RequestVoteResponse(Fixtures.n(i), Fixtures.N1, term + 1, true, false));
    }
    assertEquals(Role.LEADER, c.core.role());
    c.persist();
    return c;
  }

  void step(RaftMessage m) {
    core.step(m);
    core.checkInvariants();
  }

  /** Carries out one Ready (persist, sync), advances, and reports what it handed out applied; returns it. */
  Ready persist() {
    Ready ready = core.ready();
    write(ready);
    core.advance(ready);
    reportApplied(core, ready);
    core.checkInvariants();
    return ready;
  }

  /**
   * Tells {@code core} that the state machine applied {@code ready}'s committed entries (and
   * installed its snapshot), as a runtime does once it has: the applying budget
   * ({@link RaftConfig#maxApplyingBytes()}) then lets more committed entries out.
   */
  static void reportApplied(RaftCore core, Ready ready) {
    if (ready.snapshotToInstall() != null) {
      core.appliedTo(ready.snapshotToInstall().meta().lastIncludedIndex());
    }
    List<LogEntry> committed = ready.committedEntries();
    if (!committed.isEmpty()) {
      core.appliedTo(committed.get(committed.size() - 1).index());
    }
  }

  /** Writes a Ready to the store without advancing the core. */
  void write(Ready ready) {
    ready.writeLogTo(store);
    store.sync();
  }

  /** All AppendEntries sent in {@code ready}. */
  static List<AppendEntries> appends(Ready ready) {
    List<AppendEntries> out = new ArrayList<>();
    for (RaftMessage m : ready.sendNow()) {
      if (m instanceof AppendEntries ae) {
        out.add(ae);
      }
    }
    return out;
  }

  /** The log as stored. */
  List<LogEntry> storedLog() {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  /** A success answer of {@code from} to the leader n1 up to {@code matchIndex}, for sequence {@code seq}. */
  AppendEntriesResponse ack(NodeId from, long matchIndex, long seq) {
    return new AppendEntriesResponse(from, core.id(), core.term(), true, matchIndex, 0, 0, seq);
  }
}
