package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The README's example, kept compiling and true. */
class ReadmeExampleTest {

  /** The user's own state machine: a counter that adds each command's number. */
  static final class CounterStateMachine implements StateMachine {
    private long total;

    @Override
    public Bytes apply(long index, Bytes command) {
      total += Long.parseLong(command.toUtf8());
      return Bytes.ofUtf8(Long.toString(total));
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.ofUtf8(Long.toString(total));
    }
  }

  @Test
  void threeNodeClusterInOneProcess() {
    // --- README example: begin
    InMemoryNetwork network = new InMemoryNetwork();
    ClusterConfig cluster = ClusterConfig.ofVoters("n1", "n2", "n3");
    Map<NodeId, RaftServer> nodes = new TreeMap<>();
    for (NodeId id : cluster.voters()) {
      nodes.put(id, RaftServer.builder()
          .nodeId(id)
          .cluster(cluster)
          .transport(network.transport(id))
          .logStore(new InMemoryLogStore())
          .stateMachine(new CounterStateMachine())   // your own StateMachine
          .bootstrapLeader(NodeId.of("n1"))          // a new cluster starts with n1 as leader
          .build());
    }
    RaftServer leader = nodes.get(NodeId.of("n1"));
    Bytes afterAdd = leader.submit(Bytes.ofUtf8("5")).join();   // committed on a majority, then applied
    Bytes read = leader.read(Bytes.ofUtf8("total")).join();     // linearizable read
    nodes.values().forEach(RaftServer::close);
    // --- README example: end
    assertEquals("5", afterAdd.toUtf8());
    assertEquals("5", read.toUtf8());
  }
}
