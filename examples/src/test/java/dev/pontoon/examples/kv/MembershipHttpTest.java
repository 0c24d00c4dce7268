package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.request;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/members} and {@code DELETE /admin/members/{id}} on one node, against {@link
 * FakeRaftNode}: 200 with the configuration once the change commits, 307 on a follower, 409 while
 * another change is in flight, 404 for an unknown id, 400 for a malformed body, behind the admin
 * guard. On a real cluster they are driven in {@code KvMembershipProcessTest}.
 */
class MembershipHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final String N4_ADDRESS = "raft=127.0.0.1:9084;http=127.0.0.1:8084";
  private final FakeRaftNode node = new FakeRaftNode();
  private final HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());

  private String add(String body) {
    return http.send(request("POST", "/admin/members", body));
  }

  private static String n4(String role) {
    return "{\"id\":\"n4\",\"http\":\"127.0.0.1:8084\",\"raft\":\"127.0.0.1:9084\",\"role\":\"" + role + "\"}";
  }

  private String complete(ClusterConfig config) {
    node.membership.complete(config);
    http.channel.runPendingTasks();
    return http.drain();
  }

  @Test
  void addingALearnerAnswers200WithTheCommittedConfigurationAndItsAddresses() throws Exception {
    assertEquals("", add(n4("learner")), "no answer before the change commits");
    assertEquals(List.of(List.of(new MemberChange.AddLearner(N4, N4_ADDRESS))), node.changes);

    String answer = complete(new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), N3), Set.of(N4), Set.of(),
        Map.of(N4, N4_ADDRESS)));

    assertEquals(200, status(answer), answer);
    JsonNode body = JSON.readTree(body(answer));
    assertEquals("{\"id\":\"n4\",\"role\":\"learner\",\"http\":\"127.0.0.1:8084\",\"raft\":\"127.0.0.1:9084\"}",
        body.get("members").get(3).toString());
    assertEquals("{\"voters\":[\"n1\",\"n2\",\"n3\"],\"learners\":[\"n4\"],\"joint\":false}",
        body.get("configuration").toString());
  }

  @Test
  void aVoterIsAddedAsAVoterByDefaultAndALearnerAskedToVoteIsPromoted() {
    add("{\"id\":\"n4\",\"http\":\"127.0.0.1:8084\",\"raft\":\"127.0.0.1:9084\"}");
    node.config = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), N3), Set.of(N4), Set.of(),
        Map.of(N4, N4_ADDRESS));
    node.membership = new CompletableFuture<>();
    // Another connection: on this one the second request waits for the first's answer (InOrderAnswers).
    new HttpExchange(node, KvHttpConfig.defaults()).send(request("POST", "/admin/members", n4("voter")));
    assertEquals(List.of(List.of(new MemberChange.AddVoter(N4, N4_ADDRESS)), List.of(new MemberChange.Promote(N4))),
        node.changes);
  }

  /** Asking again for what is already so (an answer that was lost) changes nothing and answers 200. */
  @Test
  void aMemberThatAlreadyHasTheRoleIsAnsweredAtOnceWithoutAChange() {
    String answer = add("{\"id\":\"n3\",\"http\":\"127.0.0.1:8083\",\"raft\":\"127.0.0.1:9083\",\"role\":\"voter\"}");
    assertEquals(200, status(answer));
    assertTrue(node.changes.isEmpty());
  }

  @Test
  void removingAMemberAnswers200OnceCommittedAndAnUnknownIdIs404() throws Exception {
    assertEquals("", http.send(request("DELETE", "/admin/members/n3", "")));
    assertEquals(List.of(List.of(new MemberChange.Remove(N3))), node.changes);
    String answer = complete(ClusterConfig.ofVoters("n1", "n2"));
    assertEquals(200, status(answer));
    assertEquals("[\"n1\",\"n2\"]", JSON.readTree(body(answer)).get("configuration").get("voters").toString());

    String unknown = http.send(request("DELETE", "/admin/members/n9", ""));
    assertEquals(404, status(unknown));
    assertTrue(JSON.readTree(body(unknown)).get("error").asText().contains("no member n9"));
    assertEquals(1, node.changes.size());
  }

  @Test
  void onAFollowerBothRedirectWith307ToTheLeader() {
    node.role = Role.FOLLOWER;
    node.leader = NodeId.of("n2");
    String added = add(n4("voter"));
    assertEquals(307, status(added));
    assertEquals("http://127.0.0.1:8082/admin/members", header(added, "Location"));
    String removed = http.send(request("DELETE", "/admin/members/n3", ""));
    assertEquals(307, status(removed));
    assertEquals("http://127.0.0.1:8082/admin/members/n3", header(removed, "Location"));
    assertTrue(node.changes.isEmpty());
  }

  @Test
  void refusalsMapTo409404400And503WithTheReason() throws Exception {
    Map<MembershipChangeException.Reason, Integer> expected = Map.of(
        MembershipChangeException.Reason.CHANGE_IN_PROGRESS, 409,
        MembershipChangeException.Reason.UNKNOWN_MEMBER, 404,
        MembershipChangeException.Reason.INVALID_CHANGE, 400,
        MembershipChangeException.Reason.NOT_CAUGHT_UP, 503);
    for (Map.Entry<MembershipChangeException.Reason, Integer> e : expected.entrySet()) {
      node.membership = CompletableFuture.failedFuture(new MembershipChangeException(e.getKey(), "refused: " + e.getKey()));
      String answer = add(n4("voter"));
      assertEquals(e.getValue(), status(answer), answer);
      JsonNode body = JSON.readTree(body(answer));
      assertEquals(e.getKey().name(), body.get("reason").asText());
      assertEquals("refused: " + e.getKey(), body.get("error").asText());
    }
    node.membership = CompletableFuture.failedFuture(
        new MembershipChangeException(MembershipChangeException.Reason.NOT_CAUGHT_UP, "later"));
    assertEquals("1", header(add(n4("voter")), "Retry-After"));
  }

  /**
   * A voter is added in two phases: when its promotion fails after it joined as a learner, the
   * refusal names the learners that stay, and asking again for the same node as a voter promotes
   * the learner. A refusal before anything was appended has no {@code learners-added}.
   */
  @Test
  void aRefusalAfterTheLearnerPhaseNamesTheLearnersAddedAndAskingAgainPromotes() throws Exception {
    node.membership = CompletableFuture.failedFuture(new MembershipChangeException(
        MembershipChangeException.Reason.NOT_CAUGHT_UP, "n4 did not catch up", Set.of(N4),
        List.of(new MemberChange.Promote(N4))));
    String answer = add(n4("voter"));
    assertEquals(503, status(answer), answer);
    JsonNode body = JSON.readTree(body(answer));
    assertEquals("NOT_CAUGHT_UP", body.get("reason").asText());
    assertEquals("[\"n4\"]", body.get("learners-added").toString());

    node.config = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), N3), Set.of(N4), Set.of(),
        Map.of(N4, N4_ADDRESS));
    node.membership = CompletableFuture.failedFuture(new MembershipChangeException(
        MembershipChangeException.Reason.CHANGE_IN_PROGRESS, "busy"));
    JsonNode refused = JSON.readTree(body(add(n4("voter"))));
    assertEquals(List.of(List.of(new MemberChange.AddVoter(N4, N4_ADDRESS)), List.of(new MemberChange.Promote(N4))),
        node.changes);
    assertTrue(!refused.has("learners-added"), refused.toString());
  }

  @Test
  void malformedBodiesAre400AndChangeNothing() throws Exception {
    for (String bad : List.of("{nope", "[]", "{\"http\":\"h:1\"}", "{\"id\":\"n4\"}", "{\"id\":7,\"http\":\"h:1\"}",
        "{\"id\":\"n4\",\"http\":\"h\"}", "{\"id\":\"n4\",\"http\":\"h:1\",\"raft\":\"h:99999\"}",
        "{\"id\":\"n4\",\"http\":\"h:1;x=y\"}", "{\"id\":\"n4\",\"http\":\"h:1\",\"role\":\"boss\"}",
        "{\"id\":\"n3\",\"http\":\"h:1\",\"role\":\"learner\"}")) {
      String answer = add(bad);
      assertEquals(400, status(answer), bad + " -> " + answer);
      assertTrue(JSON.readTree(body(answer)).has("error"), answer);
    }
    assertTrue(node.changes.isEmpty());
  }

  /** Two bodies whose bytes are not UTF-8 must not both read as U+FFFD: refused, as PUT and CAS refuse them. */
  @Test
  void aBodyThatIsNotUtf8TextIs400AndChangesNothing() {
    byte[] body = "{\"id\":\"n\u00ff4\",\"http\":\"h:1\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] head = ("POST /admin/members HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] raw = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, raw, head.length, body.length);

    String answer = http.send(raw);

    assertEquals(400, status(answer), answer);
    assertTrue(body(answer).contains("body must be UTF-8 text"), answer);
    assertTrue(node.changes.isEmpty());
  }

  @Test
  void onlyPostAndDeleteAreAllowed() {
    assertEquals("POST", header(http.send(request("GET", "/admin/members", "")), "Allow"));
    assertEquals("DELETE", header(http.send(request("POST", "/admin/members/n3", "")), "Allow"));
  }

  @Test
  void withoutWhatTheAdminGuardRequiresBothAre401AndChangeNothing(@TempDir Path dir) throws Exception {
    HttpExchange guarded = new HttpExchange(node, KvHttpConfig.defaults(),
        AdminGuard.of(Files.writeString(dir.resolve("admin.token"), "a-token-long-enough-for-the-guard-0123456789\n"),
            false));
    assertEquals(401, status(guarded.send(request("POST", "/admin/members", n4("voter")))));
    assertEquals(401, status(guarded.send(request("DELETE", "/admin/members/n3", ""))));
    assertTrue(node.changes.isEmpty());
  }

  @Test
  void statusListsMembersWithRolesAndAddressesAndShowsAJointConfiguration() throws Exception {
    node.config = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), N4), Set.of(),
        Set.of(NodeId.of("n1"), NodeId.of("n2"), N3), Map.of(N4, N4_ADDRESS));
    JsonNode status = JSON.readTree(body(http.send(request("GET", "/status", ""))));
    assertEquals("{\"voters\":[\"n1\",\"n2\",\"n4\"],\"learners\":[],\"joint\":true,"
        + "\"outgoing-voters\":[\"n1\",\"n2\",\"n3\"]}", status.get("configuration").toString());
    JsonNode n3 = status.get("members").get(2);
    assertEquals("n3", n3.get("id").asText());
    assertEquals("voter", n3.get("role").asText());
    assertEquals("127.0.0.1:8083", n3.get("http").asText());
    assertEquals("[\"old\"]", n3.get("voting-in").toString());
    JsonNode n4 = status.get("members").get(3);
    assertEquals("127.0.0.1:8084", n4.get("http").asText());
    assertEquals("127.0.0.1:9084", n4.get("raft").asText());
    assertEquals("[\"new\"]", n4.get("voting-in").toString());
  }
}
