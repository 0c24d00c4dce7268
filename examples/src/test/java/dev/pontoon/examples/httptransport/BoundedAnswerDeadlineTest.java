package dev.pontoon.examples.httptransport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a {@link BoundedAnswer}'s deadline does its work: the body of an answer whose head arrived
 * and whose body stalled is failed by one shared timer thread, which only hangs up and fails that
 * body, whatever the number of deadlines that pass together. Not on the common ForkJoin pool, which
 * on a machine of fewer than 3 cores has parallelism 1, so that {@code CompletableFuture}'s default
 * async executor starts a new thread for each task: one per fired deadline. On real loopback
 * sockets, against a {@link StalledBodyServer}.
 */
class BoundedAnswerDeadlineTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  /** Deadlines that pass at about the same time. */
  private static final int ANSWERS = 32;
  /** Scheduling slack beyond the timeout for every stalled body to fail; far below "never". */
  private static final Duration SLACK = Duration.ofSeconds(10);
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private StalledBodyServer peer;

  @AfterEach
  void stop() throws Exception {
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void deadlinesThatPassTogetherFailTheirBodiesOnOneSharedThreadNotTheCommonPool() throws Exception {
    peer = new StalledBodyServer();
    /** Each answer's number, by the name of the thread that failed its body with TooSlow. */
    Map<Integer, String> failedOn = new ConcurrentHashMap<>();

    for (int i = 0; i < ANSWERS; i++) {
      int answer = i;
      HttpResponse.BodyHandler<byte[]> bounded = BoundedAnswer.handler("answer " + i, 1024, TIMEOUT);
      HttpResponse.BodyHandler<byte[]> watched = info -> {
        HttpResponse.BodySubscriber<byte[]> body = bounded.apply(info);
        body.getBody().whenComplete((bytes, failure) -> {
          if (BoundedAnswer.TooSlow.in(failure) != null) {
            failedOn.put(answer, Thread.currentThread().getName());
          }
        });
        return body;
      };
      client.sendAsync(HttpRequest.newBuilder(URI.create(peer.base() + "/status")).timeout(TIMEOUT).GET().build(),
          watched);
    }

    await("every stalled body fails").atMost(TIMEOUT.plus(SLACK)).until(() -> failedOn.size() == ANSWERS);
    Set<String> threads = new TreeSet<>(failedOn.values());
    assertTrue(threads.stream().noneMatch(name -> name.startsWith("ForkJoinPool.commonPool")),
        "a deadline ran on the common pool: " + threads);
    assertEquals(1, threads.size(), ANSWERS + " deadlines ran on " + threads.size() + " threads: " + threads);
    await("the client hangs up on every stalled answer").atMost(SLACK).until(() -> peer.hungUp() == ANSWERS);
  }
}
