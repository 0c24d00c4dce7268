package dev.pontoon.examples.maelstrom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.examples.linearizability.KvHistories;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.History;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Maelstrom's {@code lin-kv} workload as Maelstrom runs it, checked as Maelstrom checks it:
 * concurrent clients read, write and compare-and-set a few keys on random nodes (followers
 * forward to the leader) while {@link MaelstromRouter} cuts the leader off and heals it, and a
 * follower after it; every request and reply goes into a {@link History} in the router's time,
 * which the public linearizability checker must accept against {@link KvModel}. The same history
 * with one read altered must be refused, at that read.
 */
class MaelstromLinKvHistoryTest {
  private static final int CLIENTS = 6;
  private static final int KEYS = 3;
  private static final int TICKS = 900;
  /** Ticks a client waits for a reply before it gives up: the outcome is then unknown. */
  private static final int TIMEOUT_TICKS = 60;

  /** The recorded history, shared by both tests: the run is deterministic, so once is enough. */
  private static List<Operation<KvModel.Input, String>> recorded;

  private final MaelstromRouter net = new MaelstromRouter("n1", "n2", "n3");
  /** The router's time: every request, reply and tick moves it on. */
  private long now;
  private final History<KvModel.Input, String> history = new History<>(() -> now);

  private List<Operation<KvModel.Input, String>> recorded() {
    if (recorded == null) {
      recorded = run();
    }
    return recorded;
  }

  /** A client's request in flight: its operation in the history, and when it gives up. */
  private record Outstanding(long op, int msgId, long giveUpAtTick) {}

  @Test
  void historyUnderPartitionsOfTheLeaderAndAFollowerIsLinearizable() {
    List<Operation<KvModel.Input, String>> recorded = recorded();
    CheckResult<KvModel.Input, String> result = KvHistories.check("maelstrom-lin-kv", recorded, null);
    assertTrue(result.isLinearizable(), result.describe() + KvHistories.counts(recorded));
    assertTrue(recorded.stream().filter(Operation::isCompleted).count() > 500, KvHistories.counts(recorded));
    assertTrue(recorded.stream().anyMatch(Operation::isUnknown), "the partitions left some outcomes unknown");
  }

  @Test
  void theSameHistoryWithOneReadAlteredIsRefused() {
    List<Operation<KvModel.Input, String>> recorded = new ArrayList<>(recorded());
    int victim = recorded.size() / 2;
    while (!(recorded.get(victim).isCompleted() && recorded.get(victim).input() instanceof KvModel.Get)) {
      victim++;
    }
    Operation<KvModel.Input, String> read = recorded.get(victim);
    recorded.set(victim, Operation.completed(read.id(), read.client(), read.input(), "never written",
        read.invokedAt(), read.completedAt()));
    CheckResult<KvModel.Input, String> result = KvHistories.check("maelstrom-lin-kv-altered-read", recorded, null);
    assertEquals(CheckResult.Verdict.NOT_LINEARIZABLE, result.verdict());
    assertEquals(read.id(), result.failures().get(0).failedAt().id(), result.describe());
  }

  private List<Operation<KvModel.Input, String>> run() {
    net.tickUntil(r -> r.nodes.get("n1").raft().leader() != null, 500);
    SplittableRandom random = new SplittableRandom(7);
    Map<Integer, Outstanding> outstanding = new HashMap<>();
    int seen = net.toClients.size();
    String cutOff = null;
    for (int tick = 0; tick < TICKS; tick++) {
      // Faults: the leader cut off from tick 150 to 350, a follower from 500 to 650.
      if (tick == 150 || tick == 500) {
        String leader = String.valueOf(net.nodes.get("n1").raft().leader());
        cutOff = tick == 150 ? leader : net.nodes.keySet().stream().filter(id -> !id.equals(leader)).findFirst()
            .orElseThrow();
        net.isolated.add(cutOff);
      } else if (tick == 350 || tick == 650) {
        net.isolated.remove(cutOff);
      }
      for (int c = 1; c <= CLIENTS; c++) {
        Outstanding o = outstanding.get(c);
        if (o != null && tick >= o.giveUpAtTick()) {
          outstanding.remove(c); // gives up: the history keeps it of unknown outcome
          o = null;
        }
        if (o == null && tick < TICKS - TIMEOUT_TICKS) {
          outstanding.put(c, invoke(c, random, tick));
        }
      }
      now++;
      net.deliverAll();
      for (; seen < net.toClients.size(); seen++) {
        answered(net.toClients.get(seen), outstanding);
      }
      now++;
      net.tickAll();
    }
    return history.operations();
  }

  private Outstanding invoke(int client, SplittableRandom random, int tick) {
    int key = random.nextInt(KEYS);
    int value = (int) (history.size() + 100);
    int dice = random.nextInt(100);
    KvModel.Input input;
    String fields;
    if (dice < 45) {
      input = new KvModel.Get(Integer.toString(key));
      fields = "\"type\":\"read\",\"key\":" + key;
    } else if (dice < 80) {
      input = new KvModel.Put(Integer.toString(key), Integer.toString(value));
      fields = "\"type\":\"write\",\"key\":" + key + ",\"value\":" + value;
    } else {
      int from = 100 + random.nextInt(Math.max(1, history.size()));
      input = new KvModel.CompareAndSet(Integer.toString(key), Integer.toString(from), Integer.toString(value));
      fields = "\"type\":\"cas\",\"key\":" + key + ",\"from\":" + from + ",\"to\":" + value;
    }
    String node = "n" + (1 + random.nextInt(3));
    now++;
    long op = history.invoke(client, input);
    int msgId = net.request("c" + client, node, fields);
    return new Outstanding(op, msgId, tick + TIMEOUT_TICKS);
  }

  /** Records {@code reply} for the client waiting for it, as Maelstrom's error codes say. */
  private void answered(JsonNode reply, Map<Integer, Outstanding> outstanding) {
    int client = Integer.parseInt(reply.get("dest").asText().substring(1));
    Outstanding o = outstanding.get(client);
    JsonNode body = reply.get("body");
    if (o == null || body.path("in_reply_to").asInt(-1) != o.msgId()) {
      return; // a late reply to a request the client gave up on
    }
    outstanding.remove(client);
    KvModel.Input input = history.get(o.op()).input();
    String type = body.get("type").asText();
    now++;
    switch (type) {
      case "read_ok" -> history.complete(o.op(), body.get("value").asText());
      case "write_ok" -> history.complete(o.op(), "OK");
      case "cas_ok" -> history.complete(o.op(), KvModel.SWAPPED);
      case "error" -> {
        int code = body.get("code").asInt();
        if (code == 20 && input instanceof KvModel.Get) {
          history.complete(o.op(), null); // key does not exist
        } else if ((code == 20 || code == 22) && input instanceof KvModel.CompareAndSet) {
          history.complete(o.op(), KvModel.NOT_SWAPPED);
        } else if (code == 11) {
          history.fail(o.op()); // temporarily unavailable: certainly not applied
        } else {
          throw new AssertionError("unexpected error " + body);
        }
      }
      default -> throw new AssertionError("unexpected reply " + reply);
    }
  }
}
