package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.LoopbackHttp.statuses;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests (several sent before the first answer arrives, RFC 9112 §9.3.2) are answered
 * in the order they were sent, which is all a client has to match answers to requests. Over a
 * loopback socket, against a {@link FakeRaftNode} whose writes commit only when the test lets them.
 */
class KvHttpPipeliningTest {
  private final FakeRaftNode node = new FakeRaftNode();
  private final LoopbackHttp http = new LoopbackHttp(node, KvHttpConfig.defaults());
  private final ExecutorService client = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    client.shutdownNow();
    http.close();
  }

  /** Sends {@code requests} in one write, lets the write waiting for Raft commit once it is proposed, and returns all answers. */
  private String exchangeCommittingOnce(byte[]... requests)
      throws InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<Void> commits = new CompletableFuture<>();
    node.commits = commits;
    Future<String> answers = client.submit(() -> http.exchange(requests));
    await().atMost(Duration.ofSeconds(10)).until(() -> node.waitingForCommit.get() == 1);
    commits.complete(null);
    return answers.get(20, TimeUnit.SECONDS);
  }

  /**
   * A write waiting for its commit is answered before the read sent after it, and the read sees
   * the write: the GET, which could be answered at once, is not answered first (it answered 404
   * before, then the PUT 200, and a client reading them in order took the write for the 404).
   */
  @Test
  void aRequestSentAfterAWriteIsAnsweredAfterIt() throws Exception {
    String answers = exchangeCommittingOnce(http.request("PUT", "/kv/a", "1".getBytes(StandardCharsets.UTF_8), "keep-alive"),
        http.request("GET", "/kv/a", new byte[0], "keep-alive"), http.request("GET", "/status", ""));

    assertEquals(List.of(200, 200, 200), statuses(answers), answers);
    String[] parts = answers.split("(?=HTTP/1\\.1 )");
    assertTrue(body(parts[0]).contains("\"index\":1"), parts[0]);
    assertTrue(body(parts[1]).contains("\"value\":\"1\""), parts[1]);
    assertTrue(body(parts[2]).contains("\"commit-index\":1"), parts[2]);
  }

  /**
   * A refusal given before any route sees the request (here the browser guard's 403 for another
   * site's Origin, which closes the connection) is still answered after the answer to the write
   * sent before it, and does not cut that answer off.
   */
  @Test
  void aRefusalIsAnsweredAfterTheAnswersToTheRequestsBeforeIt() throws Exception {
    byte[] forged = ("POST /kv/b HTTP/1.1\r\nHost: 127.0.0.1:" + http.port()
        + "\r\nOrigin: https://evil.example\r\nContent-Length: 1\r\n\r\nx").getBytes(StandardCharsets.US_ASCII);

    String answers = exchangeCommittingOnce(http.request("PUT", "/kv/a", "1".getBytes(StandardCharsets.UTF_8),
        "keep-alive"), forged);

    assertEquals(List.of(200, 403), statuses(answers), answers);
    assertEquals(1, node.log.lastIndex(), "the write was made, the forged one refused");
  }
}
