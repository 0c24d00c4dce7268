package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a node holds back behind a sync in flight is bounded, even when that sync never returns:
 * a deposed leader whose disk hangs still answers every heartbeat of the new leader, and its
 * answers wait for the sync (Figure 2: persist before answering). A later answer to the same peer
 * supersedes an earlier one, so only the newest may wait, not one per heartbeat.
 */
class RaftServerHeldMessagesBoundTest {

  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final NodeId N1 = NodeId.of("n1");
  /** Heartbeats n1 receives from the new leader while its disk hangs: far more than any bound. */
  private static final int HEARTBEATS = 60;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final FailingLogStore n1Store = new FailingLogStore();
  private final List<RaftServer> servers = new ArrayList<>();

  /** The production scheduler, keeping the runtime it runs so that the test can ask its loop. */
  private static final class CapturingScheduler extends ThreadsSchedulerWrapper {
    volatile NodeRuntime runtime;

    @Override
    public void attach(NodeRuntime node) {
      runtime = node;
    }
  }

  /** Counts the AppendEntries the node receives. */
  private static final class CountingTransport extends ForwardingTransport {
    final AtomicInteger appendsReceived = new AtomicInteger();

    CountingTransport(Transport delegate) {
      super(delegate);
    }

    @Override
    public void start(InboundHandler inbound) {
      delegate.start(m -> {
        if (m instanceof AppendEntries) {
          appendsReceived.incrementAndGet();
        }
        inbound.onMessage(m);
      });
    }
  }

  @AfterEach
  void closeAll() {
    n1Store.resumeSyncs();
    servers.forEach(RaftServer::close);
  }

  @Test
  void aDeposedLeaderWhoseSyncHangsHoldsOnlyTheNewestAnswerPerPeer() throws Exception {
    CapturingScheduler n1Scheduler = new CapturingScheduler();
    CountingTransport n1Transport = new CountingTransport(network.transport(N1));
    for (NodeId id : THREE.voters()) {
      boolean n1 = id.equals(N1);
      LogStore store = n1 ? n1Store : new InMemoryLogStore();
      var builder = RaftServer.builder().nodeId(id).cluster(THREE).transport(n1 ? n1Transport : network.transport(id))
          .logStore(store).snapshotStore(new InMemorySnapshotStore()).stateMachine(new RecordingStateMachine())
          .tickInterval(TestCluster.TICK)
          .electionTimeoutTicks(TestCluster.ELECTION_TICKS, 2 * TestCluster.ELECTION_TICKS).heartbeatTicks(3)
          .bootstrapLeader(N1);
      servers.add((n1 ? builder.scheduler(n1Scheduler) : builder).build());
    }
    RaftServer n1 = servers.get(0);
    n1.submit(Bytes.ofUtf8("a=0")).orTimeout(20, TimeUnit.SECONDS).join();
    // n1's disk hangs: no sync of its returns until the test ends. Its write is committed by the followers.
    n1Store.stallSyncs();
    n1.submit(Bytes.ofUtf8("a=1")).orTimeout(20, TimeUnit.SECONDS).join();
    await().atMost(20, TimeUnit.SECONDS).until(() -> n1Store.stalledSyncs() >= 1);

    // Depose n1: the others elect a leader of a later term while it is cut off, then it hears of it.
    long oldTerm = n1.status().term();
    network.partition(Set.of(N1), Set.of(NodeId.of("n2"), NodeId.of("n3")));
    await().atMost(20, TimeUnit.SECONDS).until(() -> servers.subList(1, 3).stream()
        .anyMatch(s -> s.status().role() == Role.LEADER && s.status().term() > oldTerm));
    network.heal();
    await().atMost(20, TimeUnit.SECONDS).until(() -> n1.status().role() == Role.FOLLOWER
        && n1.status().term() > oldTerm);
    int before = n1Transport.appendsReceived.get();
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> n1Transport.appendsReceived.get() - before >= HEARTBEATS);

    int held = heldMessages(n1Scheduler.runtime);
    int heartbeats = n1Transport.appendsReceived.get() - before;

    assertTrue(n1Store.stalledSyncs() >= 1 && n1.status().role() == Role.FOLLOWER, "n1 is a follower whose sync hangs");
    // At most one answer per peer (two) and kind: AppendEntries, vote, pre-vote.
    assertTrue(held <= 6, "after " + heartbeats + " AppendEntries from the new leader, n1 holds " + held
        + " messages behind its hung sync; one answer per peer and kind would do");
  }

  /** The count of messages the loop holds, asked on the loop. */
  private static int heldMessages(NodeRuntime runtime) {
    CompletableFuture<Integer> count = new CompletableFuture<>();
    runtime.onLoop(() -> count.complete(runtime.heldMessageCount()));
    return count.orTimeout(20, TimeUnit.SECONDS).join();
  }
}
