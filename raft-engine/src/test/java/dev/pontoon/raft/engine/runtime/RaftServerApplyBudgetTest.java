package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime reports every applied entry back to the core, so the core's bound on committed
 * entries waiting for the apply thread ({@code RaftConfig.maxApplyingBytes}) holds memory back
 * without ever stopping the node.
 */
class RaftServerApplyBudgetTest {

  @Test
  void commandsFarBeyondTheApplyingBudgetAllCommit() {
    RaftConfig tiny = RaftConfig.defaults().withMaxCommittedBytesPerReady(512).withMaxApplyingBytes(1024);
    RecordingStateMachine machine = new RecordingStateMachine();
    try (RaftServer node = RaftServer.builder().nodeId("a1").cluster(ClusterConfig.ofVoters("a1"))
        .transport(new InMemoryNetwork().transport(NodeId.of("a1"))).logStore(new InMemoryLogStore())
        .stateMachine(machine).raftConfig(tiny).bootstrapLeader(NodeId.of("a1")).build()) {
      List<CompletableFuture<Bytes>> writes = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        writes.add(node.submit(Bytes.ofUtf8("k" + i + "=" + "v".repeat(100))));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
      assertEquals(501, node.status().lastApplied(), "about 60 KiB went through a 1 KiB applying budget");
    }
  }
}
