package dev.pontoon.examples.maelstrom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.engine.core.RaftConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented Maelstrom exchange, reproduced byte for byte. */
class MaelstromSampleTest {
  static final String INIT =
      "{\"src\":\"c0\",\"dest\":\"n1\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n1\",\"node_ids\":[\"n1\",\"n2\",\"n3\"]}}";
  static final String APPEND = "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"raft_append\",\"msg_id\":2,"
      + "\"entry\":{\"term\":1,\"command\":{\"op\":\"put\",\"key\":\"x\",\"value\":1}}}}";
  static final String INIT_OK = "{\"src\":\"n1\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1,\"msg_id\":0}}";
  static final String APPEND_OK =
      "{\"src\":\"n1\",\"dest\":\"c1\",\"body\":{\"type\":\"raft_append_ok\",\"in_reply_to\":2,\"msg_id\":1,\"index\":2}}";

  /** Index 1 holds the bootstrap entry (the configuration) in every log, so the first command gets index 2. */
  @Test
  void firstNodeIsLeaderOfTerm1AndAnswersInitThenRaftAppendWithIndex2() {
    List<String> out = new ArrayList<>();
    MaelstromNode node = new MaelstromNode(out::add, RaftConfig.defaults(), 1);
    node.handle(INIT);
    node.handle(APPEND);

    assertEquals(INIT_OK, out.get(0), "the first line printed after init");
    List<String> toClients = out.stream().filter(line -> line.contains("\"dest\":\"c")).toList();
    assertEquals(List.of(INIT_OK, APPEND_OK), toClients);
  }

  @Test
  void raftMessagesToPeersCarryNoMsgId() {
    List<String> out = new ArrayList<>();
    MaelstromNode node = new MaelstromNode(out::add, RaftConfig.defaults(), 1);
    node.handle(INIT);
    node.handle(APPEND);
    List<String> toPeers = out.stream().filter(line -> line.contains("\"dest\":\"n")).toList();
    assertEquals(false, toPeers.isEmpty(), "the leader replicates to n2 and n3");
    toPeers.forEach(line -> assertEquals(false, line.contains("msg_id"), line));
  }
}
