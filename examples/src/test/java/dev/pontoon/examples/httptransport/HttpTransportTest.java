package dev.pontoon.examples.httptransport;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pontoon.examples.kv.KvStateMachine;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP/JSON transport on real loopback sockets: its wire contract, both sides. */
class HttpTransportTest {
  private static final NodeId LEADER = NodeId.of("10.0.42.101:8080");
  private static final NodeId PEER = NodeId.of("n2");
  private static final String SPEC_APPEND = "{\"term\":3,\"leader-id\":\"10.0.42.101:8080\",\"prev-log-index\":2,"
      + "\"prev-log-term\":2,\"entries\":[{\"index\":3,\"term\":3,\"command\":\"PUT foo bar\"},"
      + "{\"index\":4,\"term\":3,\"command\":\"DELETE baz\"}],\"leader-commit\":2}";
  private final BlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> peerSaw = new LinkedBlockingQueue<>();
  private HttpServer minimalPeer;
  private HttpTransport leader;
  private HttpTransport follower;
  private RaftServer node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (minimalPeer != null) {
      minimalPeer.stop(0);
    }
    if (leader != null) {
      leader.close();
    }
    if (follower != null) {
      follower.close();
    }
  }

  private static AppendEntries specAppend(long sequence) {
    return new AppendEntries(LEADER, PEER, 3, 2, 2,
        List.of(LogEntry.command(3, 3, Bytes.ofUtf8("PUT foo bar")), LogEntry.command(4, 3, Bytes.ofUtf8("DELETE baz"))),
        2, sequence);
  }

  /** A peer written by someone else, that answers only the two fields the contract requires. */
  private void startMinimalPeer(String appendAnswer) throws IOException {
    minimalPeer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    minimalPeer.createContext("/raft/", exchange -> {
      peerSaw.add(exchange.getRequestURI().getPath() + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] answer = (exchange.getRequestURI().getPath().endsWith("append-entries") ? appendAnswer
          : "{\"term\":3,\"vote-granted\":true}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    minimalPeer.start();
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + minimalPeer.getAddress().getPort()), Duration.ofSeconds(2));
    leader.start(received::add);
  }

  @Test
  void leaderSendsTheSpecifiedJsonAndWorksWithAPeerThatAnswersOnlyTermAndSuccess() throws Exception {
    startMinimalPeer("{\"term\":3,\"success\":true}");
    leader.send(specAppend(0));
    assertEquals("/raft/append-entries " + SPEC_APPEND, peerSaw.poll(10, TimeUnit.SECONDS));
    // matchIndex = prevLogIndex + entries when the peer gives none; from/to filled in.
    assertEquals(new AppendEntriesResponse(PEER, LEADER, 3, true, 4, 0, 0, 0), received.poll(10, TimeUnit.SECONDS));

    leader.send(specAppend(17));
    peerSaw.poll(10, TimeUnit.SECONDS);
    assertEquals(new AppendEntriesResponse(PEER, LEADER, 3, true, 4, 0, 0, 17), received.poll(10, TimeUnit.SECONDS),
        "the request's sequence is echoed");

    leader.send(new RequestVote(LEADER, PEER, 3, 4, 3, false, false));
    assertEquals("/raft/request-vote {\"term\":3,\"candidate-id\":\"10.0.42.101:8080\",\"last-log-index\":4,\"last-log-term\":3}",
        peerSaw.poll(10, TimeUnit.SECONDS));
    assertEquals(new RequestVoteResponse(PEER, LEADER, 3, true, false), received.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void rejectionWithoutHintsBecomesAResponseWithZeroHintsSoTheLeaderBacksUpByOne() throws Exception {
    startMinimalPeer("{\"term\":3,\"success\":false}");
    leader.send(specAppend(5));
    assertEquals(new AppendEntriesResponse(PEER, LEADER, 3, false, 0, 0, 0, 5), received.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void malformedAnswerOrUnreachablePeerIsDroppedAndCounted() throws Exception {
    startMinimalPeer("{\"term\":\"three\"}");
    leader.send(specAppend(0));
    await().atMost(Duration.ofSeconds(10)).until(() -> leader.dropped() == 1);
    leader.send(new AppendEntries(LEADER, NodeId.of("unknown"), 3, 0, 0, List.of(), 0, 0));
    assertEquals(2, leader.dropped());
    assertTrue(received.isEmpty());
  }

  private void startFollower(boolean answer) {
    follower = new HttpTransport(PEER, new InetSocketAddress("127.0.0.1", 0), Map.of(LEADER, "10.0.42.101:8080", NodeId.of("n3"), "127.0.0.1:9"),
        Duration.ofMillis(500));
    follower.start(message -> {
      received.add(message);
      if (answer && message instanceof AppendEntries ae) {
        follower.send(new AppendEntriesResponse(PEER, ae.from(), ae.term(), true, ae.lastIndex(), 0, 0, ae.sequence()));
      } else if (answer && message instanceof RequestVote rv) {
        follower.send(new RequestVoteResponse(PEER, rv.from(), rv.term(), false, rv.preVote()));
      }
    });
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + follower.localAddress().getPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void receiverHandsTheRequestToTheNodeAndAnswersWithTheNodesResponse() throws Exception {
    startFollower(true);
    HttpResponse<String> answer = post("/raft/append-entries", SPEC_APPEND);
    assertEquals(200, answer.statusCode());
    assertEquals("{\"term\":3,\"success\":true,\"match-index\":4}", answer.body());
    assertEquals(specAppend(0), received.poll());
    HttpResponse<String> vote = post("/raft/request-vote",
        "{\"term\":4,\"candidate-id\":\"n3\",\"last-log-index\":1,\"last-log-term\":1}");
    assertEquals("{\"term\":4,\"vote-granted\":false}", vote.body());
  }

  @Test
  void receiverAnswers503WhenTheNodeDoesNotAnswerInTime() throws Exception {
    startFollower(false);
    assertEquals(503, post("/raft/append-entries", SPEC_APPEND).statusCode());
  }

  @Test
  void receiverRefusesBadRequestsWith4xx() throws Exception {
    startFollower(true);
    assertEquals(400, post("/raft/append-entries", "{nope").statusCode());
    assertEquals(400, post("/raft/append-entries", "{\"term\":-1,\"leader-id\":\"a\"}").statusCode());
    assertEquals(400, post("/raft/append-entries", SPEC_APPEND.replace("\"index\":4", "\"index\":7")).statusCode());
    assertEquals(400, post("/raft/request-vote", "{\"term\":1}").statusCode());
    assertEquals(404, post("/raft/other", "{}").statusCode());
    assertTrue(received.isEmpty());
  }

  @Test
  void everyMessageTypeCrossesBetweenTwoHttpTransports() throws Exception {
    startFollower(false);
    BlockingQueue<RaftMessage> leaderReceived = new LinkedBlockingQueue<>();
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + follower.localAddress().getPort()), Duration.ofSeconds(2));
    leader.start(leaderReceived::add);
    ClusterConfig config = ClusterConfig.ofVoters("n1", "n2");
    List<RaftMessage> requests = List.of(
        new AppendEntries(LEADER, PEER, 2, 0, 0, List.of(new LogEntry(1, 2, EntryKind.NO_OP, Bytes.EMPTY),
            new LogEntry(2, 2, EntryKind.CONFIGURATION, config.toBytes()),
            LogEntry.command(3, 2, Bytes.of(new byte[] {(byte) 0xff, 0, 1}))), 1, 9),
        new RequestVote(LEADER, PEER, 3, 3, 2, true, true),
        new InstallSnapshot(LEADER, PEER, 3, 10, 2, config, 0, Bytes.of(new byte[] {1, 2, (byte) 0x80}), true),
        new TimeoutNow(LEADER, PEER, 3));
    for (RaftMessage request : requests) {
      leader.send(request);
      assertEquals(request, received.poll(10, TimeUnit.SECONDS));
    }
  }

  /**
   * A follower's node that answers an append after its exchange timed out (503) must not have
   * that late answer taken for the answer to a newer append: the leader would count entries the
   * follower never stored, or a ReadIndex round nobody answered. The late answer is dropped and
   * the newer exchange waits for its own.
   */
  @Test
  void aLateAnswerToATimedOutAppendIsDroppedNotGivenToTheNextAppend() throws Exception {
    startFollower(false);
    BlockingQueue<RaftMessage> leaderReceived = new LinkedBlockingQueue<>();
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + follower.localAddress().getPort()), Duration.ofSeconds(5));
    leader.start(leaderReceived::add);
    AppendEntries heartbeat = new AppendEntries(LEADER, PEER, 1, 0, 0, List.of(), 0, 1);
    leader.send(heartbeat);
    assertEquals(heartbeat, received.poll(10, TimeUnit.SECONDS));
    await().atMost(Duration.ofSeconds(10)).until(() -> leader.dropped() == 1); // the follower's 503
    AppendEntries batch = new AppendEntries(LEADER, PEER, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.ofUtf8("a")),
        LogEntry.command(2, 1, Bytes.ofUtf8("b")), LogEntry.command(3, 1, Bytes.ofUtf8("c"))), 0, 2);
    leader.send(batch);
    assertEquals(batch, received.poll(10, TimeUnit.SECONDS));

    follower.send(new AppendEntriesResponse(PEER, LEADER, 1, true, 0, 0, 0, 1)); // round 1's answer, late
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.dropped() == 1);
    follower.send(new AppendEntriesResponse(PEER, LEADER, 1, true, 3, 0, 0, 2));

    assertEquals(new AppendEntriesResponse(PEER, LEADER, 1, true, 3, 0, 0, 2), leaderReceived.poll(10, TimeUnit.SECONDS),
        "the first answer the leader hears is round 2's own");
  }

  /**
   * A command as large as the node lets through at submit ({@code maxMessageBytes}) travels as
   * one base64 string far longer than Jackson's default limit on a string (20 million chars):
   * refused there, it would be refused at every retry and never replicate.
   */
  @Test
  void aCommandOfTheLargestSizeTheTransportAcceptsCrossesIt() throws Exception {
    startFollower(false);
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + follower.localAddress().getPort()), Duration.ofSeconds(30));
    leader.start(message -> { });
    byte[] command = new byte[leader.maxMessageBytes() - 1024];
    new java.util.Random(7).nextBytes(command);
    AppendEntries large = new AppendEntries(LEADER, PEER, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.of(command))), 0, 1);

    leader.send(large);

    RaftMessage got = received.poll(60, TimeUnit.SECONDS);
    assertTrue(got instanceof AppendEntries ae && ae.entries().get(0).payload().equals(Bytes.of(command)),
        "the follower's node got the command whole; the sender dropped " + leader.dropped());
  }

  /** The leader credits an answer only to the round it names; a success always names its match index. */
  @Test
  void anAnswerNamingAnotherRoundIsRefusedAndASuccessAlwaysCarriesItsMatchIndex() throws Exception {
    startMinimalPeer("{\"term\":3,\"success\":true,\"sequence\":16}");
    leader.send(specAppend(17));
    peerSaw.poll(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> leader.dropped() == 1);
    assertTrue(received.isEmpty(), "round 16's answer is not credited to round 17");

    assertEquals("{\"term\":1,\"success\":true,\"match-index\":0,\"sequence\":4}",
        RaftJson.encode(new AppendEntriesResponse(PEER, LEADER, 1, true, 0, 0, 0, 4)).toString(),
        "a success with match index 0 says so, rather than let the leader take its request's last index");
  }

  /**
   * The specification's {@code leader-id} is the leader's address. A request whose
   * {@code leader-id} is a member's address is the node's message from that member: the node
   * answers it at once (before, the node dropped it as coming from a non-member, and the request
   * timed out with 503).
   */
  @Test
  void leaderIdThatIsAMembersAddressIsUnderstoodAsThatMember() throws Exception {
    String n1Address = "127.0.0.1:" + unusedPort();
    follower = new HttpTransport(PEER, new InetSocketAddress("127.0.0.1", 0), Map.of(NodeId.of("n1"), n1Address),
        Duration.ofSeconds(2));
    node = RaftServer.builder().nodeId(PEER).cluster(ClusterConfig.ofVoters("n1", "n2")).transport(follower)
        .logStore(new InMemoryLogStore()).stateMachine(new KvStateMachine()).electionTimeoutTicks(1000, 2000).build();
    HttpResponse<String> answer = post("/raft/append-entries", "{\"term\":1,\"leader-id\":\"" + n1Address + "\","
        + "\"prev-log-index\":0,\"prev-log-term\":0,\"entries\":[{\"index\":1,\"term\":1,\"command\":\"PUT foo bar\"}],"
        + "\"leader-commit\":0}");
    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals("{\"term\":1,\"success\":true,\"match-index\":1}", answer.body());
    assertEquals(NodeId.of("n1"), node.status().leader());
  }

  /** A sender that is neither a member's id nor its address is refused at once, naming it. */
  @Test
  void requestFromANonMemberIsRefusedWith403() throws Exception {
    startFollower(true);
    HttpResponse<String> answer = post("/raft/append-entries", SPEC_APPEND.replace("10.0.42.101:8080", "10.9.9.9:1"));
    assertEquals(403, answer.statusCode());
    assertTrue(answer.body().contains("10.9.9.9:1 is not a member"), answer.body());
    assertTrue(received.isEmpty());
  }

  /**
   * A transport on its own port with the cluster secret takes only requests that carry it, on any
   * path (401 otherwise, nothing delivered), and sends it on its own requests, so two transports
   * that share it exchange messages as before.
   */
  @Test
  void aTransportWithTheClusterSecretSendsItAndTakesOnlyRequestsCarryingIt(@TempDir Path dir) throws Exception {
    BearerToken secret = BearerToken.read(Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef"),
        "the Raft secret", 32);
    follower = new HttpTransport(PEER, new InetSocketAddress("127.0.0.1", 0), Map.of(LEADER, "10.0.42.101:8080"),
        Duration.ofSeconds(2), secret);
    follower.start(received::add);
    assertEquals(401, post("/raft/append-entries", SPEC_APPEND).statusCode());
    assertEquals(401, post("/elsewhere", "{}").statusCode());
    assertTrue(received.isEmpty());

    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + follower.localAddress().getPort()), Duration.ofSeconds(2), secret);
    leader.start(message -> { });
    leader.send(new TimeoutNow(LEADER, PEER, 3));
    assertEquals(new TimeoutNow(LEADER, PEER, 3), received.poll(10, TimeUnit.SECONDS));
  }

  /** A port nobody listens on: no one else in the run is given it. */
  private static int unusedPort() {
    return LoopbackPorts.takeOne();
  }

  /** A snapshot taken in a joint configuration keeps both halves and the members' addresses. */
  @Test
  void installSnapshotCarriesAJointConfigurationWithAddresses() throws Exception {
    startFollower(false);
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + follower.localAddress().getPort()), Duration.ofSeconds(2));
    leader.start(message -> { });
    ClusterConfig joint = new ClusterConfig(java.util.Set.of(LEADER, PEER), java.util.Set.of(NodeId.of("n4")),
        java.util.Set.of(LEADER, NodeId.of("n3")), Map.of(NodeId.of("n4"), "raft=127.0.0.1:9104;http=127.0.0.1:8104"));
    InstallSnapshot snapshot = new InstallSnapshot(LEADER, PEER, 3, 10, 2, joint, 0, Bytes.ofUtf8("s"), true);
    leader.send(snapshot);
    assertEquals(snapshot, received.poll(10, TimeUnit.SECONDS));
  }

  /**
   * A member added at run time is reached at the address the configuration records for it, and
   * its requests are accepted from then on (before, they are refused with 403).
   */
  @Test
  void memberLearnedFromTheConfigurationIsReachedAndHeard() throws Exception {
    startFollower(false);
    NodeId n4 = NodeId.of("n4");
    String fromN4 = "{\"term\":5,\"leader-id\":\"n4\"}";
    assertEquals(403, post("/raft/timeout-now", fromN4).statusCode());
    leader = new HttpTransport(n4, new InetSocketAddress("127.0.0.1", 0), Map.of(), Duration.ofSeconds(2));
    leader.start(message -> { });
    leader.send(new TimeoutNow(n4, PEER, 5));
    assertEquals(1, leader.dropped(), "n4 does not know n2 yet");

    int followerPort = follower.localAddress().getPort();
    int leaderPort = leader.localAddress().getPort();
    ClusterConfig withBoth = new ClusterConfig(java.util.Set.of(PEER, n4), java.util.Set.of(), java.util.Set.of(),
        Map.of(PEER, "raft=127.0.0.1:" + followerPort + ";http=127.0.0.1:" + followerPort,
            n4, "127.0.0.1:" + leaderPort));
    leader.configurationChanged(withBoth);
    follower.configurationChanged(withBoth);

    leader.send(new TimeoutNow(n4, PEER, 5));
    assertEquals(new TimeoutNow(n4, PEER, 5), received.poll(10, TimeUnit.SECONDS));
    assertEquals(200, post("/raft/timeout-now", fromN4).statusCode());
  }
}
