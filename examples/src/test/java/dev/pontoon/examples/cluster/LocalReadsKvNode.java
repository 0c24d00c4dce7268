package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A deliberately broken {@code pontoon-kv node}, for the test that proves the linearizability
 * check bites: every node answers {@code GET /kv/{key}} from its own state machine at once —
 * no redirect to the leader, no ReadIndex — so a follower that has not applied a write yet
 * answers with the value before it. Writes still go to the leader. Never use it otherwise.
 *
 * <pre>LocalReadsKvNode node --id ... (the flags of pontoon-kv node)</pre>
 */
public final class LocalReadsKvNode implements KvNode.Seam {
  private final Object lock = new Object();
  private StateMachine stateMachine;

  private LocalReadsKvNode() {}

  public static void main(String[] args) throws InterruptedException {
    PontoonKv.runNodeProcess(NodeOptions.parse(List.of(args).subList(1, args.length)), new LocalReadsKvNode());
  }

  /** The state machine, with every call under one lock, so that the HTTP threads may query it too. */
  @Override
  public StateMachine stateMachine(StateMachine inner) {
    stateMachine = new StateMachine() {
      @Override
      public Bytes apply(long index, Bytes command) {
        synchronized (lock) {
          return inner.apply(index, command);
        }
      }

      @Override
      public Bytes query(Bytes query) {
        synchronized (lock) {
          return inner.query(query);
        }
      }

      @Override
      public SnapshotWriter captureSnapshot() {
        synchronized (lock) {
          return inner.captureSnapshot();
        }
      }

      @Override
      public void restoreSnapshot(InputStream snapshot) throws IOException {
        synchronized (lock) {
          inner.restoreSnapshot(snapshot);
        }
      }
    };
    return stateMachine;
  }

  /** The node as the HTTP API sees it: it says it leads (so it serves reads itself) and reads locally. */
  @Override
  public RaftNode api(RaftNode node) {
    return new RaftNode() {
      @Override
      public NodeId id() {
        return node.id();
      }

      @Override
      public CompletableFuture<Bytes> submit(Bytes command) {
        return node.submit(command);
      }

      @Override
      public CompletableFuture<Bytes> read(Bytes query) {
        return CompletableFuture.completedFuture(stateMachine.query(query));
      }

      @Override
      public CompletableFuture<Void> transferLeadership(NodeId target) {
        return node.transferLeadership(target);
      }

      @Override
      public CompletableFuture<dev.pontoon.raft.log.ClusterConfig> changeMembership(
          java.util.List<dev.pontoon.raft.MemberChange> changes) {
        return node.changeMembership(changes);
      }

      @Override
      public RaftNodeStatus status() {
        RaftNodeStatus s = node.status();
        return new RaftNodeStatus(s.id(), Role.LEADER, s.term(), s.leader(), s.commitIndex(), s.lastApplied(),
            s.snapshotIndex(), s.lastLogIndex(), s.config(), s.followers());
      }

      @Override
      public void close() {
        node.close();
      }
    };
  }
}
