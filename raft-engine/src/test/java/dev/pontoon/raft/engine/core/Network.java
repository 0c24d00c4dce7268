package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A tiny deterministic network of cores for scenario tests: it carries out each {@link Ready}
 * as a runtime would (persist to an {@link InMemoryLogStore} and sync, then send, then apply and
 * report the entries applied with {@link RaftCore#appliedTo}; in two-phase mode the report waits
 * for the sync, as a state machine may lag),
 * routes messages in FIFO order, and can drop, partition, crash and restart. After every step
 * it checks each core's invariants, Election Safety and State Machine Safety.
 */
final class Network {

  /** One node: its core, its store and what it applied. */
  static final class Node {
    RaftCore core;
    InMemoryLogStore store;
    final List<LogEntry> applied = new ArrayList<>();
    /** Highest index applied (or installed with a snapshot) and not yet reported to the core; 0 when none. */
    long appliedUnreported;
    final List<ReadState> reads = new ArrayList<>();
    /** The latest snapshot this node holds (installed or announced), announced again on restart. */
    dev.pontoon.raft.log.Snapshot snapshot;
    /** Readys written but not yet synced (two-phase mode): their sendAfterSync and advance wait. */
    final ArrayDeque<Ready> unsynced = new ArrayDeque<>();
    boolean down;
    /** The configuration the node is started with (null: it joins, knowing none). */
    ClusterConfig initialConfig;
    /** The status the last check saw, for {@code status(previous)}. */
    CoreStatus lastStatus;
  }

  private final ClusterConfig config;
  private final RaftConfig raftConfig;
  private final SplittableRandom seeds;
  final Map<NodeId, Node> nodes = new LinkedHashMap<>();
  private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
  private final Set<List<NodeId>> cut = new HashSet<>();
  private Predicate<RaftMessage> dropFilter = m -> false;
  private java.util.function.UnaryOperator<RaftMessage> rewrite = m -> m;
  /** Election Safety: term -> its leader. */
  private final Map<Long, NodeId> leaders = new HashMap<>();
  /** State Machine Safety: index -> the entry every node applied there. */
  private final Map<Long, LogEntry> appliedAt = new HashMap<>();

  Network(int size, RaftConfig raftConfig, long seed) {
    this(Fixtures.cluster(size), raftConfig, seed, Map.of());
  }

  /** A network whose nodes start from the given stores (others start empty). */
  Network(ClusterConfig config, RaftConfig raftConfig, long seed, Map<NodeId, InMemoryLogStore> stores) {
    this.config = config;
    this.raftConfig = raftConfig;
    this.seeds = new SplittableRandom(seed);
    for (NodeId id : config.members()) {
      Node node = new Node();
      node.store = stores.getOrDefault(id, new InMemoryLogStore());
      node.initialConfig = config;
      nodes.put(id, node);
      start(id);
    }
  }

  /** Starts a new node that knows no configuration: it waits for a leader to add it. */
  void addJoiningNode(NodeId id) {
    Node node = new Node();
    node.store = new InMemoryLogStore();
    nodes.put(id, node);
    start(id);
  }

  private void start(NodeId id) {
    Node node = nodes.get(id);
    // A compacted store stands for a snapshot the state machine already holds.
    node.core = new RaftCore(id, node.initialConfig, raftConfig, node.store, node.store.loadHardState(),
        node.store.firstIndex() - 1, seeds.split());
    if (node.snapshot != null) {
      node.core.snapshotAvailable(node.snapshot);
    }
    node.applied.clear();
    node.appliedUnreported = 0;
    node.down = false;
  }

  RaftCore core(NodeId id) {
    return nodes.get(id).core;
  }

  Node node(NodeId id) {
    return nodes.get(id);
  }

  /** The live leader with the highest term, or null. */
  NodeId leader() {
    NodeId best = null;
    long bestTerm = -1;
    for (var e : nodes.entrySet()) {
      RaftCore c = e.getValue().core;
      if (!e.getValue().down && c.role() == Role.LEADER && c.term() > bestTerm) {
        best = e.getKey();
        bestTerm = c.term();
      }
    }
    return best;
  }

  // ------------------------------------------------------------ faults

  /** Cuts both directions between every node of {@code a} and every node of {@code b}. */
  void partition(Set<NodeId> a, Set<NodeId> b) {
    for (NodeId x : a) {
      for (NodeId y : b) {
        cut.add(List.of(x, y));
        cut.add(List.of(y, x));
      }
    }
  }

  void isolate(NodeId id) {
    Set<NodeId> others = new HashSet<>(nodes.keySet());
    others.remove(id);
    partition(Set.of(id), others);
  }

  void heal() {
    cut.clear();
  }

  void dropWhere(Predicate<RaftMessage> filter) {
    this.dropFilter = filter;
  }

  /** Alters every delivered message, for peers that behave differently (e.g. give no hints). */
  void rewriteWith(java.util.function.UnaryOperator<RaftMessage> rewrite) {
    this.rewrite = rewrite;
  }

  /** Loses everything not synced (here: nothing is lost but volatile state and in-flight messages). */
  void crash(NodeId id) {
    Node node = nodes.get(id);
    node.store = node.store.durableCopy();
    node.down = true;
    node.unsynced.clear();
  }

  void restart(NodeId id) {
    start(id);
  }

  // ------------------------------------------------------------ driving

  void tick(NodeId id) {
    if (!nodes.get(id).down) {
      nodes.get(id).core.tick();
      check(id);
    }
  }

  /** Ticks every live node {@code times} times, stabilizing after each round. */
  void tickAll(int times) {
    for (int i = 0; i < times; i++) {
      for (NodeId id : nodes.keySet()) {
        tick(id);
      }
      stabilize();
    }
  }

  /** Ticks until some node is leader (at most {@code maxTicks} rounds); returns it. */
  NodeId elect(int maxTicks) {
    for (int i = 0; i < maxTicks && leader() == null; i++) {
      tickAll(1);
    }
    NodeId leader = leader();
    assertTrue(leader != null, "no leader after " + maxTicks + " ticks");
    return leader;
  }

  void campaign(NodeId id) {
    nodes.get(id).core.campaign();
    stabilize();
  }

  /** Carries out every Ready and delivers every message until nothing is left. */
  void stabilize() {
    for (int guard = 0; guard < 100_000; guard++) {
      boolean progress = false;
      for (NodeId id : nodes.keySet()) {
        progress |= processReady(id);
      }
      RaftMessage m = inFlight.poll();
      if (m != null) {
        deliver(m);
        progress = true;
      }
      if (!progress) {
        return;
      }
    }
    throw new AssertionError("network did not stabilize");
  }

  /** Persists, sends and applies one Ready of {@code id}; returns whether there was one. */
  boolean processReady(NodeId id) {
    Node node = nodes.get(id);
    boolean synced = sync(id); // earlier two-phase Readys first: advances happen in order
    if (node.down || !node.core.hasReady()) {
      return synced;
    }
    Ready ready = node.core.ready();
    if (ready.snapshotToInstall() != null) {
      node.snapshot = ready.snapshotToInstall();
    }
    ready.writeLogTo(node.store);
    if (ready.mustSync()) {
      node.store.sync();
    }
    inFlight.addAll(ready.sendNow());
    inFlight.addAll(ready.sendAfterSync());
    apply(node, ready);
    node.core.advance(ready);
    reportApplied(node);
    check(id);
    return true;
  }

  // ------------------------------------------------------------ two-phase, randomized driving

  /**
   * Phase one of a Ready, as a runtime that overlaps I/O would do it: write without syncing,
   * send {@code sendNow}, apply committed entries. {@link #sync} does the rest.
   */
  boolean writeReady(NodeId id) {
    Node node = nodes.get(id);
    if (node.down || !node.core.hasReady()) {
      return false;
    }
    Ready ready = node.core.ready();
    ready.writeLogTo(node.store);
    inFlight.addAll(ready.sendNow());
    apply(node, ready);
    node.unsynced.add(ready);
    check(id);
    return true;
  }

  /** Phase two: sync, then release each written Ready's {@code sendAfterSync} and advance it, in order. */
  boolean sync(NodeId id) {
    Node node = nodes.get(id);
    if (node.down || node.unsynced.isEmpty()) {
      return false;
    }
    node.store.sync();
    while (!node.unsynced.isEmpty()) {
      Ready ready = node.unsynced.poll();
      if (ready.snapshotToInstall() != null) {
        node.snapshot = ready.snapshotToInstall(); // now durable: the snapshot store keeps it
      }
      inFlight.addAll(ready.sendAfterSync());
      node.core.advance(ready);
      check(id);
    }
    reportApplied(node);
    check(id);
    return true;
  }

  /** Delivers a random in-flight message (reordering), dropping or duplicating it with the given odds. */
  boolean deliverRandom(SplittableRandom random, double drop, double duplicate) {
    if (inFlight.isEmpty()) {
      return false;
    }
    List<RaftMessage> all = new ArrayList<>(inFlight);
    RaftMessage m = all.remove(random.nextInt(all.size()));
    inFlight.clear();
    inFlight.addAll(all);
    if (random.nextDouble() < duplicate) {
      inFlight.add(m);
    }
    if (random.nextDouble() >= drop) {
      deliver(m);
    }
    return true;
  }

  int inFlightCount() {
    return inFlight.size();
  }

  /**
   * Compacts {@code id}'s log up to what it applied, as a runtime does after taking a snapshot,
   * and announces the snapshot to its core. Only when everything written is synced.
   */
  void compact(NodeId id) {
    Node node = nodes.get(id);
    if (node.down || !node.unsynced.isEmpty() || node.applied.isEmpty()) {
      return;
    }
    long index = node.applied.get(node.applied.size() - 1).index();
    if (index < node.store.firstIndex() || index > node.store.lastIndex()) {
      return;
    }
    long term = node.store.term(index);
    node.store.truncatePrefix(index, term);
    node.store.sync();
    node.snapshot = new dev.pontoon.raft.log.Snapshot(new dev.pontoon.raft.log.SnapshotMeta(index, term,
        node.core.configAt(index)),
        dev.pontoon.raft.log.Bytes.ofUtf8("state at " + index));
    node.core.snapshotAvailable(node.snapshot);
    check(id);
  }

  /** Log Matching (§5.3): if two logs hold an entry with the same index and term, they are identical up to it. */
  void checkLogMatching() {
    List<Node> all = new ArrayList<>(nodes.values());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        InMemoryLogStore a = all.get(i).store;
        InMemoryLogStore b = all.get(j).store;
        long last = Math.min(a.lastIndex(), b.lastIndex());
        long first = Math.max(a.firstIndex(), b.firstIndex());
        boolean matched = false;
        for (long k = last; k >= first; k--) {
          LogEntry x = a.entries(k, k + 1, Long.MAX_VALUE).get(0);
          LogEntry y = b.entries(k, k + 1, Long.MAX_VALUE).get(0);
          matched |= x.term() == y.term();
          if (matched) {
            assertEquals(x, y, "Log Matching violated at index " + k);
          }
        }
      }
    }
  }

  private void apply(Node node, Ready ready) {
    if (ready.snapshotToInstall() != null) {
      node.appliedUnreported = ready.snapshotToInstall().meta().lastIncludedIndex();
    }
    for (LogEntry e : ready.committedEntries()) {
      LogEntry previous = appliedAt.putIfAbsent(e.index(), e);
      assertEquals(previous == null ? e : previous, e, "State Machine Safety violated at index " + e.index());
      node.applied.add(e);
      node.appliedUnreported = e.index();
    }
    node.reads.addAll(ready.readsReady());
  }

  /** Reports what {@code node} applied since the last report, freeing the core's applying budget. */
  private static void reportApplied(Node node) {
    if (node.appliedUnreported > 0) {
      node.core.appliedTo(node.appliedUnreported);
      node.appliedUnreported = 0;
    }
  }

  private void deliver(RaftMessage m) {
    Node to = nodes.get(m.to());
    if (to == null || to.down || cut.contains(List.of(m.from(), m.to())) || dropFilter.test(m)) {
      return;
    }
    to.core.step(rewrite.apply(m));
    check(m.to());
  }

  private void check(NodeId id) {
    Node node = nodes.get(id);
    RaftCore core = node.core;
    core.checkInvariants();
    // status(previous) is status() itself, and the previous object wherever nothing in it changed.
    CoreStatus fresh = core.status();
    CoreStatus reused = core.status(node.lastStatus);
    assertEquals(fresh, reused, id + ": status(previous) differs from status()");
    if (fresh.equals(node.lastStatus)) {
      assertSame(node.lastStatus, reused, id + ": an unchanged status was built again");
    }
    node.lastStatus = reused;
    if (core.role() == Role.LEADER) {
      NodeId previous = leaders.putIfAbsent(core.term(), id);
      assertEquals(previous == null ? id : previous, id, "Election Safety violated in term " + core.term());
      if (previous == null) {
        // Leader Completeness (§5.4): a new leader holds every entry committed before it.
        for (LogEntry e : appliedAt.values()) {
          if (e.index() < core.log.firstIndex()) {
            continue; // compacted into a snapshot of committed entries
          }
          assertTrue(e.index() <= core.log.lastIndex() && core.log.term(e.index()) == e.term(),
              "Leader Completeness violated: " + id + " at term " + core.term() + " lacks " + e);
        }
      }
    }
  }
}
