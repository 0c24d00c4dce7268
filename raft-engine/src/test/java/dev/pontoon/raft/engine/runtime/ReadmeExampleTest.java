package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The README's example, kept compiling and true: {@link ReadmeExample} is the README's class
 * verbatim (without its imports, which are this file's).
 */
class ReadmeExampleTest {

  // --- README example: begin (public class ReadmeExample in the README)
  static class ReadmeExample {
    /** Your replicated state: a counter that adds each command's number. */
    static class Counter implements StateMachine {
      long total;

      @Override public Bytes apply(long index, Bytes command) {
        total += Long.parseLong(command.toUtf8());
        return Bytes.ofUtf8(Long.toString(total));
      }

      @Override public Bytes query(Bytes query) {
        return Bytes.ofUtf8(Long.toString(total));
      }
    }

    public static void main(String[] args) {
      InMemoryNetwork network = new InMemoryNetwork();
      ClusterConfig cluster = ClusterConfig.ofVoters("n1", "n2", "n3");
      Map<NodeId, RaftServer> nodes = new TreeMap<>();
      for (NodeId id : cluster.voters()) {
        nodes.put(id, RaftServer.builder().nodeId(id).cluster(cluster)
            .transport(network.transport(id))
            .logStore(new InMemoryLogStore())
            .stateMachine(new Counter())
            .bootstrapLeader(NodeId.of("n1"))    // a new cluster starts with n1 as its leader
            .build());
      }
      RaftServer leader = nodes.get(NodeId.of("n1"));
      Bytes total = leader.submit(Bytes.ofUtf8("5")).join();   // committed on a majority, then applied
      Bytes read = leader.read(Bytes.ofUtf8("total")).join();  // linearizable read
      System.out.println("total after submit: " + total.toUtf8() + ", read: " + read.toUtf8());
      nodes.values().forEach(RaftServer::close);
    }
  }
  // --- README example: end

  @Test
  void threeNodeClusterInOneProcessSubmitsAndReads() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ReadmeExample.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertEquals("total after submit: 5, read: 5", captured.toString(StandardCharsets.UTF_8).strip());
  }
}
