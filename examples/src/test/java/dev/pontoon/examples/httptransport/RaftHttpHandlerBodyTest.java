package dev.pontoon.examples.httptransport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the receiving side reads a request body: a sender that is not a member is refused before
 * anything of the body's bulk is built, the rest is built straight into messages, a bad entry is
 * named by its position, and fields may come in any order. Without sockets: the handler runs in
 * an {@link EmbeddedChannel} on the test's thread, so that the heap it allocates is that thread's.
 */
class RaftHttpHandlerBodyTest {
  private static final NodeId SELF = NodeId.of("n2");
  private static final NodeId LEADER = NodeId.of("n1");
  /** The members by id and by address, as {@link HttpTransport}'s sender lookup has them. */
  private static final Map<String, NodeId> MEMBERS = Map.of("n1", LEADER, "127.0.0.1:8081", LEADER);
  private final List<RaftMessage> delivered = new ArrayList<>();
  private final RaftHttpHandler handler = new RaftHttpHandler(SELF, RaftHttpHandlerBodyTest::sender,
      () -> delivered::add, new PendingAnswers(8), Duration.ofSeconds(5), false);

  private static NodeId sender(String text) {
    NodeId member = MEMBERS.get(text);
    if (member == null) {
      throw new RaftHttpHandler.UnknownSender(text + " is not a member");
    }
    return member;
  }

  /** Loads and warms what a first request touches (Jackson, Netty), so that measurements see only the request. */
  @BeforeEach
  void warmUp() {
    for (int i = 0; i < 3; i++) {
      post("/raft/append-entries", append("\"leader-id\":\"n1\"", entries(100)));
      post("/raft/append-entries", append("\"leader-id\":\"mallory\"", entries(100)));
    }
    delivered.clear();
  }

  /**
   * The entries of a member's append are built one by one from the body's bytes: the request costs
   * a small multiple of its body, whose smallest entry ({@code {"term":1}}, 10 bytes) is one
   * {@link LogEntry}. (Before: a String copy of the body and a Jackson tree of it, ~35 times.)
   */
  @Test
  void aMembersAppendCostsASmallMultipleOfItsBody() {
    int count = 500_000;
    byte[] body = append("\"leader-id\":\"n1\"", entries(count));

    long allocated = allocatedWhile(() -> assertEquals(null, post("/raft/append-entries", body), "parked for the node's answer"));

    assertEquals(count, ((AppendEntries) delivered.get(0)).entries().size());
    System.out.printf("a member's append: body %,d bytes, allocated %,d (%.1f times)%n", body.length, allocated,
        (double) allocated / body.length);
    assertTrue(allocated < 10L * body.length, "a " + body.length + "-byte append allocated " + allocated + " bytes ("
        + allocated / body.length + " times its body)");
  }

  /** A non-member's append is refused with 403 before any of its entries is built. */
  @Test
  void aNonMembersAppendIsRefusedWith403BeforeItsEntriesAreBuilt() {
    byte[] body = append("\"leader-id\":\"mallory\"", entries(500_000));
    assertRefusedCheaply("/raft/append-entries", body);
  }

  /** As above when the entries come before the sender: the body is read for the sender first. */
  @Test
  void aNonMembersAppendIsRefusedBeforeItsEntriesAreBuiltEvenWhenTheyComeFirst() {
    String text = "{\"entries\":[" + entries(500_000) + "],\"term\":1,\"prev-log-index\":0,\"prev-log-term\":0,"
        + "\"leader-commit\":0,\"leader-id\":\"mallory\"}";
    assertRefusedCheaply("/raft/append-entries", text.getBytes(StandardCharsets.UTF_8));
  }

  /** A non-member's snapshot piece is refused before its data (a long base64 string) is read. */
  @Test
  void aNonMembersSnapshotPieceIsRefusedBeforeItsDataIsRead() {
    String data = Base64.getEncoder().encodeToString(new byte[3_000_000]);
    String text = "{\"data\":\"" + data + "\",\"config\":{\"voters\":[\"n1\",\"n2\"]},\"term\":1,\"leader-id\":\"mallory\","
        + "\"last-included-index\":1,\"last-included-term\":1,\"offset\":0,\"done\":false}";
    assertRefusedCheaply("/raft/install-snapshot", text.getBytes(StandardCharsets.UTF_8));
  }

  private void assertRefusedCheaply(String path, byte[] body) {
    FullHttpResponse[] answer = new FullHttpResponse[1];
    long allocated = allocatedWhile(() -> answer[0] = post(path, body));

    assertEquals(403, answer[0].status().code(), answer[0].content().toString(StandardCharsets.UTF_8));
    assertEquals("{\"error\":\"mallory is not a member\"}", answer[0].content().toString(StandardCharsets.UTF_8));
    assertTrue(delivered.isEmpty());
    System.out.printf("a non-member's %s: body %,d bytes, allocated %,d%n", path, body.length, allocated);
    assertTrue(allocated < body.length / 20, "refusing a " + body.length + "-byte body allocated " + allocated + " bytes");
  }

  /** The first bad entry is named by its position, and nothing is delivered. */
  @Test
  void aBadEntryIsNamedByItsPosition() {
    String entries = "{\"term\":1},{\"term\":1},{\"term\":1},{\"index\":4,\"term\":\"one\"},{\"term\":1}";
    assertEquals("400 {\"error\":\"entries[3]: \\\"term\\\" must be an integer\"}",
        answer("/raft/append-entries", append("\"leader-id\":\"n1\"", entries)));
    assertEquals("400 {\"error\":\"entries[1]: \\\"index\\\" (7) must be 2: entries are consecutive from "
            + "prev-log-index + 1 (1)\"}",
        answer("/raft/append-entries", append("\"leader-id\":\"n1\"", "{\"term\":1},{\"index\":7,\"term\":1}")));
    assertEquals("400 {\"error\":\"entries[0]: each entry must be an object\"}",
        answer("/raft/append-entries", append("\"leader-id\":\"n1\"", "[]")));
    assertTrue(delivered.isEmpty());
  }

  /**
   * Fields may come in any order, and unknown fields, of any shape and at any level, are ignored;
   * every request type decodes the same way.
   */
  @Test
  void fieldsDecodeInAnyOrderAndUnknownFieldsAreIgnored() {
    post("/raft/append-entries", ("{\"entries\":[{\"command\":\"PUT a b\",\"x\":{\"y\":[1,{}]},\"term\":2},"
        + "{\"encoding\":\"base64\",\"kind\":\"configuration\",\"term\":2,\"command\":\"AAE=\",\"index\":3}],"
        + "\"sequence\":9,\"unknown\":[[],{\"entries\":5}],\"leader-commit\":1,\"prev-log-term\":1,\"prev-log-index\":1,"
        + "\"leader-id\":\"127.0.0.1:8081\",\"term\":2,\"more\":null}").getBytes(StandardCharsets.UTF_8));
    post("/raft/request-vote", "{\"pre-vote\":true,\"last-log-term\":1,\"x\":{},\"candidate-id\":\"n1\",\"last-log-index\":3,\"term\":4}"
        .getBytes(StandardCharsets.UTF_8));
    post("/raft/install-snapshot", ("{\"data\":\"AQI=\",\"done\":false,\"offset\":0,\"config\":{\"learners\":[],"
        + "\"x\":[1],\"voters\":[\"n1\",\"n2\"]},\"last-included-term\":1,\"last-included-index\":3,\"leader-id\":\"n1\","
        + "\"term\":4}").getBytes(StandardCharsets.UTF_8));
    post("/raft/timeout-now", "{\"x\":[{}],\"leader-id\":\"n1\",\"term\":5}".getBytes(StandardCharsets.UTF_8));

    assertEquals(List.of(
        new AppendEntries(LEADER, SELF, 2, 1, 1, List.of(LogEntry.command(2, 2, Bytes.ofUtf8("PUT a b")),
            new LogEntry(3, 2, EntryKind.CONFIGURATION, Bytes.of(new byte[] {0, 1}))), 1, 9),
        new RequestVote(LEADER, SELF, 4, 3, 1, true, false),
        new InstallSnapshot(LEADER, SELF, 4, 3, 1, ClusterConfig.ofVoters("n1", "n2"), 0, Bytes.of(new byte[] {1, 2}), false),
        new TimeoutNow(LEADER, SELF, 5)), delivered);
  }

  /** The errors of a body that is not JSON, or not an object, are as before. */
  @Test
  void aBodyThatIsNotAJsonObjectIsRefusedAsBefore() {
    assertTrue(answer("/raft/append-entries", "{\"term\":1,".getBytes(StandardCharsets.UTF_8))
        .startsWith("400 {\"error\":\"malformed JSON: "));
    assertEquals("400 {\"error\":\"body must be a JSON object\"}", answer("/raft/request-vote", new byte[0]));
    assertEquals("400 {\"error\":\"body must be a JSON object\"}", answer("/raft/timeout-now", "[1]".getBytes(StandardCharsets.UTF_8)));
    assertEquals("400 {\"error\":\"\\\"entries\\\" must be an array\"}",
        answer("/raft/append-entries", ("{\"term\":1,\"leader-id\":\"n1\",\"prev-log-index\":0,\"prev-log-term\":0,"
            + "\"leader-commit\":0,\"entries\":{}}").getBytes(StandardCharsets.UTF_8)));
    assertTrue(delivered.isEmpty());
  }

  // ---- helpers

  private static byte[] append(String sender, String entries) {
    return ("{\"term\":1," + sender + ",\"prev-log-index\":0,\"prev-log-term\":0,\"leader-commit\":0,\"entries\":["
        + entries + "]}").getBytes(StandardCharsets.UTF_8);
  }

  /** {@code count} of the smallest valid entries, {@code {"term":1}}. */
  private static String entries(int count) {
    StringBuilder s = new StringBuilder(count * 11);
    for (int i = 0; i < count; i++) {
      s.append(i == 0 ? "" : ",").append("{\"term\":1}");
    }
    return s.toString();
  }

  /**
   * Posts {@code body} as the HTTP aggregator hands it on (a composite buffer), and returns the
   * handler's answer, or null when the request is parked waiting for the node's answer.
   */
  private FullHttpResponse post(String path, byte[] body) {
    int half = body.length / 2;
    ByteBuf content = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(body, 0, half),
        Unpooled.wrappedBuffer(body, half, body.length - half));
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content));
    FullHttpResponse answer = channel.readOutbound();
    channel.finishAndReleaseAll();
    return answer;
  }

  private String answer(String path, byte[] body) {
    FullHttpResponse answer = post(path, body);
    return answer.status().code() + " " + answer.content().toString(StandardCharsets.UTF_8);
  }

  private static long allocatedWhile(Runnable action) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    action.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }
}
