package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.LinearizabilityChecker;
import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The simulator's own clients: put, get, delete and compare-and-set on a few keys of a
 * {@link KvStateMachine}, checked against {@link KvModel}. A compare-and-set expects the value
 * its client last saw (or absence), so that some succeed.
 */
final class KvWorkload implements Workload<KvModel.Input, String> {
  private static final KvModel MODEL = new KvModel();

  private final int keys;
  /** Per client, per key: the value it last saw. */
  private final Map<Integer, String[]> lastSeen = new HashMap<>();

  /** @param keys how many keys the clients share ({@code k0} and on) */
  KvWorkload(int keys) {
    this.keys = keys;
  }

  /** The workload of a run: the number of keys drawn from the run's generator. */
  static KvWorkload draw(RandomGenerator random) {
    return new KvWorkload(random.nextInt(3, 6));
  }

  @Override
  public StateMachine newStateMachine() {
    return new KvStateMachine();
  }

  @Override
  public KvModel.Input next(RandomGenerator random, int client, long opId) {
    int k = random.nextInt(keys);
    String key = "k" + k;
    String value = "v" + opId;
    int dice = random.nextInt(100);
    if (dice < 35) {
      return new Put(key, value);
    } else if (dice < 70) {
      return new Get(key);
    } else if (dice < 80) {
      return new Delete(key);
    }
    return new CompareAndSet(key, random.nextInt(4) == 0 ? null : seen(client)[k], value);
  }

  @Override
  public Request request(KvModel.Input input) {
    return input instanceof Get ? Request.read(Bytes.ofUtf8(input.key())) : Request.command(KvCodec.encode(input));
  }

  /** A read's answer is the value (empty: absent); a write's is {@code "OK"}, {@code "true"} or {@code "false"}. */
  @Override
  public String output(KvModel.Input input, Bytes answer) {
    return input instanceof Get && answer.isEmpty() ? null : answer.toUtf8();
  }

  @Override
  public void completed(int client, KvModel.Input input, String output) {
    int k = Integer.parseInt(input.key().substring(1));
    if (input instanceof Get) {
      seen(client)[k] = output;
    } else if (input instanceof Put p) {
      seen(client)[k] = p.value();
    }
  }

  @Override
  public Model<?, KvModel.Input, String> model() {
    return MODEL;
  }

  @Override
  public long stepBudget() {
    return LinearizabilityChecker.DEFAULT_STEP_BUDGET;
  }

  private String[] seen(int client) {
    return lastSeen.computeIfAbsent(client, c -> new String[keys]);
  }
}
