package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** Small builders shared by the core's tests. */
final class Fixtures {

  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final NodeId N3 = NodeId.of("n3");
  static final NodeId N4 = NodeId.of("n4");
  static final NodeId N5 = NodeId.of("n5");

  private Fixtures() {}

  static NodeId n(int i) {
    return NodeId.of("n" + i);
  }

  static ClusterConfig cluster(int size) {
    TreeSet<NodeId> voters = new TreeSet<>();
    for (int i = 1; i <= size; i++) {
      voters.add(n(i));
    }
    return ClusterConfig.ofVoters(voters);
  }

  /** Election timeout [10, 20), heartbeat 2, PreVote and CheckQuorum off: the plain paper algorithm. */
  static RaftConfig plain() {
    return RaftConfig.defaults().withPreVote(false).withCheckQuorum(false);
  }

  static Bytes cmd(String text) {
    return Bytes.ofUtf8(text);
  }

  /** Entries 1..terms.length with the given terms, commands named after their index. */
  static List<LogEntry> entries(long... terms) {
    List<LogEntry> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      out.add(LogEntry.command(i + 1, terms[i], cmd("e" + (i + 1))));
    }
    return out;
  }

  /** A synced store holding entries with {@code terms} and hard state ({@code term}, {@code votedFor}). */
  static InMemoryLogStore store(long term, NodeId votedFor, long... terms) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(entries(terms));
    store.saveHardState(new HardState(term, votedFor));
    store.sync();
    return store;
  }

  /**
   * The synced store of a member of a new cluster of {@code clusterSize} bootstrapped with
   * {@code leader}: hard state (1, {@code leader}) and the bootstrap entry, as every member writes
   * them before its first start.
   */
  static InMemoryLogStore bootstrapStore(int clusterSize, NodeId leader) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(RaftCore.bootstrapEntry(cluster(clusterSize))));
    store.saveHardState(new HardState(1, leader));
    store.sync();
    return store;
  }

  static RaftCore core(NodeId id, int clusterSize, RaftConfig config, InMemoryLogStore store) {
    return new RaftCore(id, cluster(clusterSize), config, store, store.loadHardState(), 0, new SplittableRandom(7));
  }

  static RaftCore core(NodeId id, int clusterSize, RaftConfig config) {
    return core(id, clusterSize, config, new InMemoryLogStore());
  }
}
