package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.random.RandomGenerator;

/**
 * What a simulation's clients do and how their history is judged: the state machine every node
 * runs, each client's next operation, how it travels as a {@link Request}, how an answer reads,
 * and the model the history is checked against. The simulator's own key-value clients
 * ({@link KvWorkload}) are one; a user's state machine with its generator and model
 * ({@link StateMachineSimulation}) is another. One instance serves one run, on its one thread.
 *
 * @param <I> an operation's input, as the history records it
 * @param <O> an operation's output, as the history records it
 */
interface Workload<I, O> {

  /** A fresh state machine, for a node that starts (or restarts, before replay). */
  StateMachine newStateMachine();

  /** Client {@code client}'s next operation, {@code opId} in the history; every choice drawn from {@code random}. */
  I next(RandomGenerator random, int client, long opId);

  /** How {@code input} is sent: a command through the log, or a read. */
  Request request(I input);

  /** What the answer {@code answer} to {@code input} says, as the history records it. */
  O output(I input, Bytes answer);

  /** Client {@code client} learned that {@code input} answered {@code output}. */
  default void completed(int client, I input, O output) {}

  /** The sequential specification the history must be linearizable against. */
  Model<?, I, O> model();

  /** Search steps per partition the linearizability check may take. */
  long stepBudget();
}
