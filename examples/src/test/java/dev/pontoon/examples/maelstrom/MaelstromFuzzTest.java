package dev.pontoon.examples.maelstrom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bad input is part of the contract: 100,000 random and mutated lines to a three-node cluster.
 * No line may throw out of the handler; every line a node prints is JSON, and every reply to a
 * client is either a success of the requested type or a Maelstrom error with a known code.
 */
class MaelstromFuzzTest {
  private static final long SEED = 42;
  private static final String[] TEMPLATES = {
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"write\",\"key\":1,\"value\":2,\"msg_id\":7}}",
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"read\",\"key\":1,\"msg_id\":8}}",
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"cas\",\"key\":1,\"from\":2,\"to\":3,\"msg_id\":9}}",
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"raft_append\",\"msg_id\":2,\"entry\":{\"term\":1,\"command\":{\"op\":\"put\",\"key\":\"x\",\"value\":1}}}}",
      "{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"raft_append_entries_res\",\"term\":1,\"success\":true,\"match_index\":1,\"conflict_term\":0,\"conflict_index\":0,\"sequence\":1}}",
      "{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"raft_request_vote\",\"term\":2,\"last_log_index\":0,\"last_log_term\":0,\"pre_vote\":true,\"leadership_transfer\":false}}",
      "{\"src\":\"n1\",\"dest\":\"n2\",\"body\":{\"type\":\"raft_append_entries\",\"term\":1,\"prev_log_index\":0,\"prev_log_term\":0,\"leader_commit\":0,\"sequence\":3,\"entries\":[{\"index\":1,\"term\":1,\"kind\":\"COMMAND\",\"data\":\"AQ==\"}]}}",
      "{\"src\":\"c2\",\"dest\":\"n1\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n1\",\"node_ids\":[\"n1\"]}}",
      "{\"src\":\"c3\",\"dest\":\"n3\",\"body\":{\"type\":\"echo\",\"msg_id\":3}}",
  };
  private static final String ALPHABET = "{}[]\":,0123456789-.etrufalsn \\abcdefghijklmnopqrstuvwxyz_\u00e9\u0000";

  @Test
  void hundredThousandLinesToASingleNodeClusterNeverCrashItAndGetOnlyWellFormedReplies() {
    MaelstromRouter net = new MaelstromRouter("n1");
    fuzz(net, new String[] {"n1"}, 100_000, new SplittableRandom(SEED));
    assertTrue(net.toClients.size() > 5_000, net.toClients.size() + " client replies");
  }

  @Test
  void linesToAThreeNodeClusterNeverCrashANodeAndGetOnlyWellFormedReplies() {
    MaelstromRouter net = new MaelstromRouter("n1", "n2", "n3");
    fuzz(net, new String[] {"n1", "n2", "n3"}, 5_000, new SplittableRandom(SEED + 1));
    assertTrue(net.toClients.size() > 250, net.toClients.size() + " client replies");
  }

  private static void fuzz(MaelstromRouter net, String[] ids, int lines, SplittableRandom random) {
    for (int i = 0; i < lines; i++) {
      String line = random.nextInt(4) == 0 ? randomLine(random) : mutate(random, TEMPLATES[random.nextInt(TEMPLATES.length)]);
      try {
        net.nodes.get(ids[random.nextInt(ids.length)]).handle(line);
        if (i % 50 == 0) {
          net.tickAll();
        }
        net.deliverAll();
      } catch (RuntimeException e) {
        throw new AssertionError("line " + i + " crashed a node: " + line, e);
      }
    }
    for (JsonNode reply : net.toClients) {
      JsonNode body = reply.get("body");
      String type = body.path("type").asText();
      if (type.equals("error")) {
        int code = body.path("code").asInt(-1);
        assertTrue(code == 10 || code == 11 || code == 12 || code == 14 || code == 20 || code == 22, reply.toString());
      } else {
        assertTrue(type.endsWith("_ok"), reply.toString());
      }
    }
  }

  private static String mutate(SplittableRandom random, String template) {
    StringBuilder line = new StringBuilder(template);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && line.length() > 1; e++) {
      int at = random.nextInt(line.length());
      switch (random.nextInt(3)) {
        case 0 -> line.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 1 -> line.deleteCharAt(at);
        default -> line.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return line.toString();
  }

  private static String randomLine(SplittableRandom random) {
    StringBuilder line = new StringBuilder();
    int length = random.nextInt(60);
    for (int i = 0; i < length; i++) {
      line.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return line.toString();
  }
}
