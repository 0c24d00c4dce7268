package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code StateMachine.durableAppliedIndex}: a state machine that keeps its state on disk is
 * replayed only from what it holds, instead of restored from the snapshot and replayed from it;
 * one that starts empty (the default, 0) is restored and replayed as before.
 */
class DurableStateMachineRecoveryTest {
  private static final NodeId ID = NodeId.of("d1");

  /** What survives a restart of the state machine: its state as of {@code index}. */
  private static final class Disk {
    List<String> state = List.of();
    long index;
  }

  /** Appends each command to a list; persists the list at every even index when {@code durable} (lazily). */
  private static final class ListMachine implements StateMachine {
    final Disk disk;
    final boolean durable;
    final List<String> state;
    final List<Long> applied = new ArrayList<>();
    int restores;

    final long heldAtStart;

    ListMachine(Disk disk, boolean durable) {
      this.disk = disk;
      this.durable = durable;
      this.heldAtStart = disk.index;
      this.state = durable ? new ArrayList<>(disk.state) : new ArrayList<>();
    }

    @Override
    public synchronized Bytes apply(long index, Bytes command) {
      applied.add(index);
      state.add(command.toUtf8());
      if (durable && index % 2 == 0) {
        disk.state = List.copyOf(state);
        disk.index = index;
      }
      return Bytes.EMPTY;
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.EMPTY;
    }

    @Override
    public long durableAppliedIndex() {
      return durable ? disk.index : 0;
    }

    @Override
    public synchronized SnapshotWriter captureSnapshot() {
      String text = String.join("\n", state);
      return out -> out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void restoreSnapshot(InputStream snapshot) throws IOException {
      restores++;
      String text = new String(snapshot.readAllBytes(), StandardCharsets.UTF_8);
      state.clear();
      if (!text.isEmpty()) {
        state.addAll(Arrays.asList(text.split("\n")));
      }
    }

    synchronized List<String> state() {
      return List.copyOf(state);
    }
  }

  private static RaftServer start(InMemoryLogStore log, InMemorySnapshotStore snapshots, StateMachine machine) {
    RaftServer node = RaftServer.builder().nodeId(ID).cluster(ClusterConfig.ofVoters("d1"))
        .transport(new InMemoryNetwork().transport(ID)).logStore(log).snapshotStore(snapshots).stateMachine(machine)
        .bootstrapLeader(ID).snapshotEvery(10).tickInterval(TestCluster.TICK).build();
    await().atMost(10, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
    return node;
  }

  /** Runs 16 commands, restarts on the same stores; returns the restarted machine. */
  private static ListMachine restartAfterWrites(boolean durable, Disk disk, List<String> before, long[] snapshotAt)
      throws Exception {
    InMemoryLogStore log = new InMemoryLogStore();
    InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    ListMachine first = new ListMachine(disk, durable);
    RaftServer node = start(log, snapshots, first);
    for (int i = 0; i < 12; i++) {
      node.submit(Bytes.ofUtf8("c" + i)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(10, TimeUnit.SECONDS).until(() -> node.status().snapshotIndex() >= 10);
    // A few more after the snapshot (the next one is 10 entries away): the durable state holds more than it.
    for (int i = 12; i < 16; i++) {
      node.submit(Bytes.ofUtf8("c" + i)).get(10, TimeUnit.SECONDS);
    }
    before.addAll(first.state());
    node.close();
    snapshotAt[0] = snapshots.newest().orElseThrow().meta().lastIncludedIndex();

    ListMachine second = new ListMachine(disk, durable);
    RaftServer restarted = start(log, snapshots, second);
    await().atMost(10, TimeUnit.SECONDS).until(() -> second.state().size() >= before.size());
    restarted.close();
    return second;
  }

  @Test
  void durableStateMachineIsReplayedOnlyAfterWhatItHolds() throws Exception {
    Disk disk = new Disk();
    List<String> before = new ArrayList<>();
    long[] snapshotAt = new long[1];
    ListMachine restarted = restartAfterWrites(true, disk, before, snapshotAt);

    long heldAtStart = restarted.heldAtStart;
    assertTrue(heldAtStart > snapshotAt[0], "the disk holds more (" + heldAtStart + ") than the snapshot ("
        + snapshotAt[0] + ")");
    assertEquals(0, restarted.restores, "no snapshot restored over a state that holds more");
    assertTrue(restarted.applied.stream().allMatch(i -> i > heldAtStart), restarted.applied.toString());
    assertEquals(before, restarted.state(), "the same state as before the restart");
  }

  @Test
  void stateMachineThatStartsEmptyIsRestoredFromTheSnapshotAndReplayedFromIt() throws Exception {
    Disk disk = new Disk();
    List<String> before = new ArrayList<>();
    long[] snapshotAt = new long[1];
    ListMachine restarted = restartAfterWrites(false, disk, before, snapshotAt);

    assertEquals(1, restarted.restores);
    assertTrue(restarted.applied.stream().allMatch(i -> i > snapshotAt[0]), restarted.applied.toString());
    assertEquals(before, restarted.state());
  }

  /**
   * A snapshot records the configuration in force at its own last included index (§7). A durable
   * state machine that resumes after a configuration change committed since the latest snapshot
   * must therefore resume with that change in force on the apply side, not with the older
   * snapshot's configuration, or the next snapshot would record a configuration the log had
   * already replaced (and a node restored from it would forget the change).
   */
  @Test
  void snapshotTakenAfterResumingPastAMembershipChangeRecordsTheChange() throws Exception {
    NodeId learner = NodeId.of("l9");
    Disk disk = new Disk();
    InMemoryLogStore log = new InMemoryLogStore();
    InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    RaftServer first = start(log, snapshots, new ListMachine(disk, true));
    for (int i = 0; i < 12; i++) {
      first.submit(Bytes.ofUtf8("c" + i)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(10, TimeUnit.SECONDS).until(() -> first.status().snapshotIndex() >= 10);
    long snapshotBefore = first.status().snapshotIndex();
    ClusterConfig changed = first.addLearner(learner, "l9.example:7000").get(10, TimeUnit.SECONDS);
    long changeIndex = first.status().commitIndex();
    // Until the state machine's disk holds more than the change, and the next snapshot is still ahead.
    for (int i = 12; disk.index <= changeIndex; i++) {
      first.submit(Bytes.ofUtf8("c" + i)).get(10, TimeUnit.SECONDS);
    }
    first.close();
    assertEquals(snapshotBefore, snapshots.newest().orElseThrow().meta().lastIncludedIndex(),
        "no snapshot taken after the change");
    assertTrue(!snapshots.newest().orElseThrow().meta().config().contains(learner), "the snapshot predates the change");

    ListMachine second = new ListMachine(disk, true);
    RaftServer restarted = start(log, snapshots, second);
    for (int i = 0; restarted.status().snapshotIndex() <= second.heldAtStart && i < 40; i++) {
      restarted.submit(Bytes.ofUtf8("d" + i)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(10, TimeUnit.SECONDS).until(() -> snapshots.newest().orElseThrow().meta().lastIncludedIndex()
        > second.heldAtStart);
    restarted.close();

    assertTrue(second.heldAtStart > changeIndex, "resumed after the change (" + second.heldAtStart + " > "
        + changeIndex + ")");
    assertEquals(0, second.restores, "resumed from its own disk, not from the snapshot");
    assertEquals(changed, snapshots.newest().orElseThrow().meta().config());
  }

  /**
   * {@code RaftNodeStatus.snapshotIndex} is the last index of the latest snapshot: a durable state
   * machine that resumes past the snapshot changes what is applied, not what the snapshot covers
   * (an operator reads it to see how far the log may be compacted and what a lagging follower gets).
   */
  @Test
  void statusReportsTheSnapshotsIndexNotTheDurableStateMachinesAfterARestart() throws Exception {
    Disk disk = new Disk();
    InMemoryLogStore log = new InMemoryLogStore();
    InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    RaftServer first = start(log, snapshots, new ListMachine(disk, true));
    for (int i = 0; i < 14; i++) {
      first.submit(Bytes.ofUtf8("c" + i)).get(10, TimeUnit.SECONDS);
    }
    await().atMost(10, TimeUnit.SECONDS).until(() -> first.status().snapshotIndex() >= 10);
    first.close();
    long snapshotAt = snapshots.newest().orElseThrow().meta().lastIncludedIndex();

    ListMachine second = new ListMachine(disk, true);
    RaftServer restarted = start(log, snapshots, second);
    try {
      assertTrue(second.heldAtStart > snapshotAt, "the disk holds more (" + second.heldAtStart
          + ") than the snapshot (" + snapshotAt + ")");
      assertEquals(snapshotAt, restarted.status().snapshotIndex(), "the latest snapshot's last index");
    } finally {
      restarted.close();
    }
  }

  @Test
  void durableIndexBeyondTheDurableLogIsRefusedAtStartSayingWhy() {
    Disk disk = new Disk();
    disk.index = 500;
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> start(new InMemoryLogStore(), new InMemorySnapshotStore(), new ListMachine(disk, true)));
    assertTrue(e.getMessage().contains("holds the log up to 500"), e.getMessage());
  }
}
