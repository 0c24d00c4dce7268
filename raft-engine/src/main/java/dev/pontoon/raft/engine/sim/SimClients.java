package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.History;
import dev.pontoon.raft.engine.linearizability.HistoryTimeline;
import dev.pontoon.raft.engine.linearizability.LinearizabilityChecker;
import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.engine.linearizability.Operation;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The simulated clients: each has at most one operation outstanding, drawn from the
 * {@link Workload}, sends it to the node it believes leads, follows {@link NotLeaderException}
 * hints, and gives up after a timeout (the outcome is then unknown). Every invocation and
 * response goes into the {@link History}, in virtual time.
 *
 * <p><b>Resends.</b> A client resends an operation, under the same operation id, only after an
 * answer that promises nothing was appended: {@code NotLeaderException} and the other refusals
 * ({@code OverloadedException}, {@code CommandTooLargeException}), a node that is down (the
 * connection is refused: nothing was sent), or, for a read, any failure (a read changes nothing).
 * After {@code IndeterminateStateException}, {@code NodeStoppedException}, a crash of the node
 * holding its write, or its own timeout, the operation ends with an unknown outcome and is never
 * resent. So a write may take effect at most once, and the simulation fails a run in which one
 * operation id is applied at two log indexes ({@link Violation.AppliedTwice}); the answers each
 * operation was resent after are kept ({@link #resentAfter}) for that report.
 *
 * @param <I> an operation's input, as the history records it
 * @param <O> an operation's output
 */
final class SimClients<I, O> {
  /** Ticks a client waits for a response before it gives up. */
  static final long TIMEOUT_TICKS = 40;

  private final Simulation sim;
  private final RandomGenerator random;
  private final Workload<I, O> workload;
  private final History<I, O> history;
  /** Per client: the operation outstanding, or -1. */
  private final long[] current;
  private final int[] target;
  /** Per operation id that was resent: the answers it was resent after (the last few), for reports. */
  private final Map<Long, List<String>> resentAfter = new HashMap<>();
  private boolean stopped;
  /** The last {@link #check}'s result, for {@link #timeline}. */
  private CheckResult<I, O> checked;

  SimClients(Simulation sim, int clients, Workload<I, O> workload, RandomGenerator random) {
    this.sim = sim;
    this.random = random;
    this.workload = workload;
    this.history = new History<>(sim::now);
    this.current = new long[clients];
    this.target = new int[clients];
    java.util.Arrays.fill(current, -1);
  }

  History<I, O> history() {
    return history;
  }

  Workload<I, O> workload() {
    return workload;
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

  /**
   * The history as the cluster settled it ({@link SettledHistory}) and its linearizability check.
   *
   * @param firstApplied per operation id, its first application anywhere
   * @param everyCommittedEntryApplied whether every committed entry is known to have been applied
   */
  CheckResult<I, O> check(Map<Long, SettledHistory.Applied> firstApplied, boolean everyCommittedEntryApplied) {
    checked = LinearizabilityChecker.of(workload.model()).withStepBudget(workload.stepBudget())
        .check(settled(firstApplied, everyCommittedEntryApplied));
    return checked;
  }

  /**
   * Draws the {@link HistoryTimeline} page of the last check when asked (null if there was none);
   * it holds on to the check's result and the model only, not to the run.
   */
  Supplier<String> timeline(String title) {
    CheckResult<I, O> result = checked;
    Model<?, I, O> model = workload.model();
    return () -> result == null ? null : HistoryTimeline.html(title, model, result);
  }

  List<Operation<I, O>> settled(Map<Long, SettledHistory.Applied> firstApplied, boolean everyCommittedEntryApplied) {
    return SettledHistory.settle(history.operations(), firstApplied, everyCommittedEntryApplied, workload);
  }

  /** Client {@code c} starts its next operation. */
  void invoke(int c) {
    if (stopped || current[c] >= 0) {
      return;
    }
    I input = workload.next(random, c, history.size());
    if (random.nextInt(3) == 0) {
      target[c] = random.nextInt(sim.size()); // sometimes a random node, so followers redirect
    }
    current[c] = history.invoke(c, input);
    sim.note("c" + c + " invokes #" + current[c] + " " + input);
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
    Request request = workload.request(history.get(opId).input());
    if (!node.isUp()) {
      retryElsewhere(c, null, node.id() + " is down (connection refused)"); // nothing was sent
      return;
    }
    // A refusal (NotLeaderException and the like) comes back through notLeader, now or later.
    if (request.isRead()) {
      node.submitRead(opId, request.bytes(), sim.sabotage() == Sabotage.LOCAL_READS);
    } else {
      node.submitCommand(opId, request.bytes());
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

  /** Operation {@code opId} was answered {@code answer}. */
  void completed(long opId, Bytes answer) {
    int c = owner(opId);
    if (c >= 0) {
      I input = history.get(opId).input();
      O output = workload.output(input, answer);
      history.complete(opId, output);
      sim.note("c" + c + " #" + opId + " answered " + (output instanceof Bytes b ? Request.printable(b) : output));
      workload.completed(c, input, output);
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

  /**
   * The node refused (nothing was appended, or the read was aborted): try the hinted leader.
   *
   * @param answer what the node answered, kept for a report of this operation
   */
  void notLeader(long opId, NodeId hint, String answer) {
    int c = owner(opId);
    if (c >= 0) {
      retryElsewhere(c, hint, answer);
    }
  }

  /** The answers operation {@code opId} was resent after (the last few; empty if it never was). */
  List<String> resentAfter(long opId) {
    return resentAfter.getOrDefault(opId, List.of());
  }

  private void retryElsewhere(int c, NodeId hint, String answer) {
    List<String> answers = resentAfter.computeIfAbsent(current[c], k -> new ArrayList<>());
    if (answers.size() == 4) {
      answers.remove(0);
    }
    answers.add("t=" + sim.now() + " " + answer);
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
