package dev.pontoon.raft.engine.sim;

import java.util.random.RandomGenerator;

/**
 * What simulated clients send: each time a client is ready for its next operation, the
 * simulation asks for one {@link Request}.
 *
 * <p><b>Determinism.</b> Draw every choice from {@code random} (the run's seeded generator) and
 * keep no state of your own: a seed then replays exactly, and seeds may run in parallel on other
 * threads with the same generator instance. Use the client number to give clients different
 * habits if you like.
 *
 * <pre>{@code
 * OperationGenerator accountClients = (random, client) -> random.nextInt(3) == 0
 *     ? Request.read("balance")
 *     : Request.command(Integer.toString(random.nextInt(-5, 6)));
 * }</pre>
 *
 * @see StateMachineSimulation.Builder#operations
 */
@FunctionalInterface
public interface OperationGenerator {

  /**
   * The next request of client {@code client}.
   *
   * @param random the run's generator; the only source of randomness allowed
   * @param client the client, from 0; it has no other operation outstanding
   * @return the request; not null
   */
  Request next(RandomGenerator random, int client);
}
