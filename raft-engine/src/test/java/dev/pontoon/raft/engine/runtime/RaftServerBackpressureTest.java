package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.OverloadedException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Beyond its bounds on pending proposals and bytes, a node refuses at once, appending nothing. */
class RaftServerBackpressureTest {

  @Test
  void submitBeyondThePendingBoundFailsFastWithOverloaded() {
    try (TestCluster cluster = new TestCluster(3, b -> b.maxPendingProposals(4))) {
      RaftServer leader = cluster.awaitLeader();
      for (RaftServer follower : cluster.followers(leader)) {
        cluster.network.disconnect(follower.id());
      }
      List<CompletableFuture<Bytes>> stuck = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        stuck.add(leader.submit(Bytes.ofUtf8("x=" + i)));
      }
      CompletableFuture<Bytes> refused = leader.submit(Bytes.ofUtf8("x=5"));
      assertTrue(refused.isDone(), "refused at once, without waiting");
      OverloadedException e = assertInstanceOf(OverloadedException.class, TestCluster.failure(refused));
      assertTrue(e.getMessage().contains("too many pending proposals (limit 4)"), e.getMessage());
      assertTrue(!e.mayStillCommit());
    }
  }

  @Test
  void commandLargerThanTheByteBoundIsRefusedWithOverloaded() {
    try (TestCluster cluster = new TestCluster(1, b -> b.maxPendingBytes(10))) {
      RaftServer leader = cluster.awaitLeader();
      OverloadedException e = assertInstanceOf(OverloadedException.class,
          TestCluster.failure(leader.submit(Bytes.ofUtf8("key=a-long-value"))));
      assertTrue(e.getMessage().contains("exceeds maxPendingBytes (10)"), e.getMessage());
    }
  }
}
