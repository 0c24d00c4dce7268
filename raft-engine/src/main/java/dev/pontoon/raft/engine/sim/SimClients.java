package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.linearizability.History;
import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import java.util.random.RandomGenerator;

/**
 * The simulated clients: each has at most one operation outstanding, sends it to the node it
 * believes leads, follows {@link NotLeaderException} hints, and gives up after a timeout (the
 * outcome is then unknown). Every invocation and response goes into the {@link History}.
 */
final class SimClients {
  /** Ticks a client waits for a response before it gives up. */
  static final long TIMEOUT_TICKS = 40;

  private final Simulation sim;
  private final RandomGenerator random;
  private final int keys;
  private final History<KvModel.Input, String> history;
  /** Per client: the operation outstanding, or -1. */
  private final long[] current;
  private final int[] target;
  /** Per client and key: the value it last saw, to make compare-and-set succeed sometimes. */
  private final String[][] lastSeen;
  private boolean stopped;

  SimClients(Simulation sim, int clients, int keys, RandomGenerator random) {
    this.sim = sim;
    this.history = new History<>(sim::now);
    this.random = random;
    this.keys = keys;
    this.current = new long[clients];
    this.target = new int[clients];
    this.lastSeen = new String[clients][keys];
    java.util.Arrays.fill(current, -1);
  }

  History<KvModel.Input, String> history() {
    return history;
  }

  int count() {
    return current.length;
  }

  /** No new operations from now on (final phase); outstanding ones still complete or time out. */
  void stop() {
    stopped = true;
  }

  boolean allIdle() {
    for (long op : current) {
      if (op >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Client {@code c} starts its next operation. */
  void invoke(int c) {
    if (stopped || current[c] >= 0) {
      return;
    }
    int k = random.nextInt(keys);
    String key = "k" + k;
    String value = "v" + history.size();
    int dice = random.nextInt(100);
    KvModel.Input command;
    if (dice < 35) {
      command = new Put(key, value);
    } else if (dice < 70) {
      command = new Get(key);
    } else if (dice < 80) {
      command = new Delete(key);
    } else {
      command = new CompareAndSet(key, random.nextInt(4) == 0 ? null : lastSeen[c][k], value);
    }
    if (random.nextInt(3) == 0) {
      target[c] = random.nextInt(sim.size()); // sometimes a random node, so followers redirect
    }
    current[c] = history.invoke(c, command);
    sim.scheduleClientTimeout(c, current[c], TIMEOUT_TICKS * VirtualClock.UNITS_PER_TICK);
    send(c);
  }

  /** Client {@code c} sends (or resends) its outstanding operation. */
  void send(int c) {
    long opId = current[c];
    if (opId < 0) {
      return;
    }
    SimulatedNode node = sim.node(target[c]);
    KvModel.Input command = history.get(opId).input();
    if (!node.isUp()) {
      retryElsewhere(c, null); // connection refused: nothing was sent
      return;
    }
    // A refusal (NotLeaderException and the like) comes back through notLeader, now or later.
    if (command.isWrite()) {
      node.submitWrite(opId, command);
    } else {
      node.submitRead(opId, command.key(), sim.sabotage() == Sabotage.LOCAL_READS);
    }
  }

  /** Client {@code c}'s retry of {@code opId} is due. */
  void retry(int c, long opId) {
    if (current[c] == opId) {
      send(c);
    }
  }

  /** The timeout of client {@code c}'s operation {@code opId} fired. */
  void timeout(int c, long opId) {
    if (current[c] == opId) {
      finish(c); // history keeps it as unknown
    }
  }

  void completed(long opId, String result) {
    int c = owner(opId);
    if (c >= 0) {
      history.complete(opId, result);
      KvModel.Input command = history.get(opId).input();
      int k = Integer.parseInt(command.key().substring(1));
      if (command instanceof Get) {
        lastSeen[c][k] = result;
      } else if (command instanceof Put p) {
        lastSeen[c][k] = p.value();
      }
      finish(c);
    }
  }

  void failed(long opId) {
    int c = owner(opId);
    if (c >= 0) {
      history.fail(opId);
      finish(c);
    }
  }

  /** The node can no longer tell whether the write takes effect (IndeterminateStateException). */
  void unknown(long opId) {
    int c = owner(opId);
    if (c >= 0) {
      finish(c);
    }
  }

  /** The node refused (nothing was appended, or the read was aborted): try the hinted leader. */
  void notLeader(long opId, NodeId hint) {
    int c = owner(opId);
    if (c >= 0) {
      retryElsewhere(c, hint);
    }
  }

  private void retryElsewhere(int c, NodeId hint) {
    target[c] = hint != null ? Integer.parseInt(hint.value().substring(1)) - 1 : random.nextInt(sim.size());
    sim.scheduleClientRetry(c, current[c], 1 + random.nextInt(2 * (int) VirtualClock.UNITS_PER_TICK));
  }

  private void finish(int c) {
    current[c] = -1;
    if (!stopped) {
      sim.scheduleClientInvoke(c, random.nextInt(3 * (int) VirtualClock.UNITS_PER_TICK));
    }
  }

  private int owner(long opId) {
    if (opId < 0 || opId >= history.size()) {
      return -1;
    }
    int c = history.get(opId).client();
    return current[c] == opId ? c : -1;
  }
}
