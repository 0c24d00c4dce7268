package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import java.util.Set;

/** Fixtures of the membership tests (thesis chapter 4). */
final class MembershipFixtures {

  static final ClusterConfig WITH_LEARNER_N4 = new ClusterConfig(Set.of(N1, N2, N3), Set.of(N4));

  private MembershipFixtures() {}

  static LogEntry configEntry(long index, long term, ClusterConfig config) {
    return new LogEntry(index, term, EntryKind.CONFIGURATION, config.toBytes());
  }

  /** A network of voters n1..n{size} with the joining nodes given, and n1 leader with its no-op committed. */
  static Network clusterLedByN1(int size, NodeId... joining) {
    Network net = new Network(size, Fixtures.plain(), 11);
    for (NodeId id : joining) {
      net.addJoiningNode(id);
    }
    net.campaign(N1);
    assertEquals(N1, net.leader());
    return net;
  }
}
