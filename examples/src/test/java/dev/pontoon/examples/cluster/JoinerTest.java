package dev.pontoon.examples.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pontoon.examples.httptransport.StalledBodyServer;
import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link Joiner} does with the answers of the member it was told to join through, which it
 * must not trust with more than the join: the admin token goes only to the cluster's members over
 * the {@code --join} URL's scheme, redirects are few and paced, and no answer goes unreported or
 * unbounded. Each fake member is a JDK {@link HttpServer} on a loopback port.
 */
class JoinerTest {
  private static final String TOKEN = "the-clusters-admin-token";
  private static final NodeId SELF = NodeId.of("n4");
  private static final Duration FAST_RETRY = Duration.ofMillis(50);
  /** The exchange timeout when a member stalls its answer's body. */
  private static final Duration STALL_TIMEOUT = Duration.ofMillis(500);
  /** Scheduling slack beyond that timeout; far below "never". */
  private static final Duration SLACK = Duration.ofSeconds(10);

  private final List<FakeMember> servers = new ArrayList<>();
  private Joiner joiner;

  @AfterEach
  void stop() {
    if (joiner != null) {
      joiner.close();
    }
    servers.forEach(s -> s.server.stop(0));
  }

  /**
   * A 307 to an address that is no member's HTTP address is not followed: the token is not sent
   * there, and the joiner reports the refusal naming the {@code Location}.
   */
  @Test
  void theAdminTokenIsNeverSentToARedirectOutsideTheMembers() {
    FakeMember collector = serve(base -> new Answer(200, "{}", null));
    String location = collector.base() + "/collect";
    FakeMember target = member(base -> new Answer(307, "", location));

    joiner = start(target, FAST_RETRY);

    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.requests().isEmpty() || joiner.problem() != null);
    assertEquals(List.of(), collector.requests(), "the collector outside the members was asked");
    assertTrue(joiner.problem().contains(location), joiner.problem());
    assertFalse(joiner.joined());
  }

  /** A 307 that leaves the {@code --join} URL's scheme is refused even when it names a member. */
  @Test
  void aRedirectThatLeavesTheJoinSchemeIsNotFollowed() {
    FakeMember target = member(base -> new Answer(307, "", base.replace("http://", "https://") + "/admin/members"));

    joiner = start(target, FAST_RETRY);

    await().atMost(Duration.ofSeconds(10)).until(() -> target.requests().size() > 1 || joiner.problem() != null);
    assertEquals(1, target.requests().size());
    assertTrue(joiner.problem().contains("https://"), joiner.problem());
  }

  /** A member's redirect to another admin action is refused: the token-bearing request only ever adds this node. */
  @Test
  void aRedirectToAnotherPathThanTheMembersEndpointIsNotFollowed() {
    FakeMember leader = serve(base -> new Answer(200, "{\"members\":[]}", null));
    FakeMember follower = serve(base -> new Answer(307, "", leader.base() + "/admin/transfer-leadership/n9"));
    follower.members = List.of(follower.hostPort(), leader.hostPort());

    joiner = start(follower, FAST_RETRY);

    await().atMost(Duration.ofSeconds(10)).until(() -> joiner.problem() != null);
    assertTrue(joiner.problem().contains("/admin/members"), joiner.problem());
    assertEquals(List.of(), leader.requests(), "nothing was sent to the other path");
  }

  /** The usual follower → leader 307 still works, and the leader, a member, receives the token. */
  @Test
  void aRedirectToTheLeaderStillCarriesTheTokenAndJoins() {
    FakeMember leader = serve(base -> new Answer(200, "{\"members\":[]}", null));
    FakeMember follower = serve(base -> new Answer(307, "", leader.base() + "/admin/members"));
    follower.members = List.of(follower.hostPort(), leader.hostPort());

    joiner = start(follower, FAST_RETRY);

    await().atMost(Duration.ofSeconds(10)).until(joiner::joined);
    assertEquals(List.of("POST /admin/members Bearer " + TOKEN), leader.requests());
  }

  /** A member that redirects to itself is asked at most 1 + {@value Joiner#MAX_REDIRECTS} times per attempt. */
  @Test
  void aSelfRedirectingTargetIsAskedAtMostAFewTimesPerAttempt() {
    FakeMember target = member(base -> new Answer(307, "", base + "/admin/members"));

    // Hops and attempts 1 s apart: the count is taken as soon as the first attempt reports its
    // problem, a whole second before the second attempt's first request.
    joiner = start(target, Duration.ofSeconds(1));
    AtomicInteger askedInTheFirstAttempt = new AtomicInteger();

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
      int asked = target.requests().size();
      if (joiner.problem() == null && asked <= 1 + Joiner.MAX_REDIRECTS) {
        return false;
      }
      askedInTheFirstAttempt.set(asked);
      return true;
    });
    assertEquals(1 + Joiner.MAX_REDIRECTS, askedInTheFirstAttempt.get());
    assertTrue(joiner.problem().contains("redirected"), joiner.problem());
  }

  /** A {@code Location} that is no URI, or of another scheme, is reported, not swallowed. */
  @Test
  void anInvalidLocationIsReportedNotSwallowed() {
    for (String location : List.of("http://[not a uri", "ftp://127.0.0.1:1/admin/members")) {
      FakeMember target = member(base -> new Answer(307, "", location));

      joiner = start(target, FAST_RETRY);

      await(location).atMost(Duration.ofSeconds(10)).until(() -> joiner.problem() != null);
      assertTrue(joiner.problem().contains(location), joiner.problem());
      joiner.close();
    }
  }

  /** An answer larger than {@value Joiner#MAX_ANSWER_BYTES} bytes is refused, from /status as from the join. */
  @Test
  void anOversizedAnswerIsRefused() {
    String huge = "{\"members\":[{\"id\":\"n1\",\"http\":\"127.0.0.1:1\",\"raft\":\"127.0.0.1:2\"}],\"pad\":\""
        + "x".repeat(Joiner.MAX_ANSWER_BYTES) + "\"}";
    FakeMember target = serve(base -> new Answer(200, huge, null));
    target.statusBody = huge;

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Joiner.members(URI.create(target.base()), null, false));
    assertTrue(e.getMessage().contains("more than " + Joiner.MAX_ANSWER_BYTES + " bytes"), e.getMessage());

    joiner = start(target, FAST_RETRY);
    await().atMost(Duration.ofSeconds(10)).until(() -> joiner.joined() || joiner.problem() != null);
    assertFalse(joiner.joined());
    assertTrue(joiner.problem().contains("more than " + Joiner.MAX_ANSWER_BYTES + " bytes"), joiner.problem());
  }

  /**
   * The exchange timeout covers a {@code /status} answer's body, not only its head: a member that
   * sends the status line and headers and then stalls the body fails {@code members} within the
   * timeout, with a message naming it, and is hung up on.
   */
  @Test
  void aStatusAnswerWhoseBodyStallsFailsWithinTheTimeout() throws Exception {
    try (StalledBodyServer stalled = new StalledBodyServer()) {
      IllegalStateException e = assertTimeoutPreemptively(STALL_TIMEOUT.plus(SLACK), () -> assertThrows(
          IllegalStateException.class, () -> Joiner.members(URI.create(stalled.base()), null, false, STALL_TIMEOUT)));

      assertTrue(e.getMessage().contains("did not complete within " + STALL_TIMEOUT.toMillis() + " ms"), e.getMessage());
      await("the joiner hangs up on the stalled answer").atMost(SLACK).until(() -> stalled.hungUp() == 1);
    }
  }

  /**
   * A join answer whose body stalls holds the joiner no longer than the timeout: it gives that
   * exchange up, hangs up, and asks again after the retry delay.
   */
  @Test
  void aJoinAnswerWhoseBodyStallsIsGivenUpAfterTheTimeoutAndAskedAgain() throws Exception {
    try (StalledBodyServer stalled = new StalledBodyServer()) {
      joiner = Joiner.start(URI.create(stalled.base()), SELF, "127.0.0.1:1", "127.0.0.1:2", null, TOKEN, FAST_RETRY,
          STALL_TIMEOUT);

      await("the joiner asks again").atMost(STALL_TIMEOUT.plus(SLACK)).until(() -> stalled.stalled() >= 2);
      await("the joiner hangs up on the first stalled answer").atMost(SLACK).until(() -> stalled.hungUp() >= 1);
      assertFalse(joiner.joined());
    }
  }

  private Joiner start(FakeMember target, Duration retry) {
    return Joiner.start(URI.create(target.base()), SELF, "127.0.0.1:1", "127.0.0.1:2", null, TOKEN, retry);
  }

  /** A fake member whose {@code /status} lists itself. */
  private FakeMember member(Function<String, Answer> join) {
    FakeMember member = serve(join);
    member.members = List.of(member.hostPort());
    return member;
  }

  private FakeMember serve(Function<String, Answer> join) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeMember member = new FakeMember(server, join);
      server.createContext("/", member::handle);
      server.start();
      servers.add(member);
      return member;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private record Answer(int status, String body, String location) {}

  /** Answers {@code GET /status} with {@link #members}, and every other request with {@code join}; records those. */
  private static final class FakeMember {
    final HttpServer server;
    final Function<String, Answer> join;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    volatile List<String> members = List.of();
    volatile String statusBody;

    FakeMember(HttpServer server, Function<String, Answer> join) {
      this.server = server;
      this.join = join;
    }

    String hostPort() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    String base() {
      return "http://" + hostPort();
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    void handle(HttpExchange exchange) throws IOException {
      exchange.getRequestBody().readAllBytes();
      Answer answer;
      if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/status")) {
        answer = new Answer(200, statusBody != null ? statusBody : status(), null);
      } else {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
            + (authorization != null ? " " + authorization : ""));
        answer = join.apply(base());
      }
      if (answer.location() != null) {
        exchange.getResponseHeaders().add("Location", answer.location());
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      } catch (IOException e) {
        // the joiner stopped reading an answer it refused
      }
    }

    private String status() {
      StringBuilder json = new StringBuilder("{\"members\":[");
      for (int i = 0; i < members.size(); i++) {
        json.append(i == 0 ? "" : ",").append("{\"id\":\"m").append(i).append("\",\"http\":\"").append(members.get(i))
            .append("\",\"raft\":\"").append(members.get(i)).append("\"}");
      }
      return json.append("]}").toString();
    }
  }
}
