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

  @Test
  void durableIndexBeyondTheDurableLogIsRefusedAtStartSayingWhy() {
    Disk disk = new Disk();
    disk.index = 500;
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> start(new InMemoryLogStore(), new InMemorySnapshotStore(), new ListMachine(disk, true)));
    assertTrue(e.getMessage().contains("holds the log up to 500"), e.getMessage());
  }
}
