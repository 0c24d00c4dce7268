package dev.pontoon.examples.httptransport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of an answer to a request this node sent to another member, read only up to a limit
 * and only until a deadline, so that a member can make this node hold neither an answer of any
 * size nor an exchange for ever: the HTTP transport reads peers' answers up to its body limit (the
 * same that bounds the requests it receives) and within its request timeout, and the KV node's
 * {@code GET /cluster} reads members' {@code /status} up to a limit of its own and within its peer
 * timeout.
 *
 * <ul>
 *   <li><b>Size.</b> An answer whose {@code Content-Length} is over the limit is refused before any
 *       of it is read; one that arrives without (chunked, or until the connection closes) is
 *       counted as it arrives and refused once it passes the limit. The body fails with {@link
 *       TooLarge}.
 *   <li><b>Time.</b> The JDK client's request timeout ends when the answer's head arrives; the body
 *       could then take as long as the peer likes. The deadline starts when the {@link #handler
 *       handler} is made (just before the request is sent) and covers the body too: a body not
 *       complete by then fails with {@link TooSlow}.
 * </ul>
 *
 * <p>Either way the subscription is cancelled (the client closes that connection rather than read
 * on) and the exception names the answer and the limit or the timeout; the caller fails that
 * exchange and nothing else.
 *
 * <p>One per answer, made by the handler; called by the HTTP client's threads, one signal at a time
 * (reactive streams), and once by the deadline's timer thread: one daemon thread shared by every
 * answer ({@code pontoon-answer-deadline}), never the common ForkJoin pool.
 */
public final class BoundedAnswer implements HttpResponse.BodySubscriber<byte[]> {
  /* Implementation notes.
   *
   * The deadline runs on a timer thread of its own rather than CompletableFuture's timeout and
   * async machinery (completeOnTimeout(...).thenRunAsync(...)): that runs the work on
   * CompletableFuture's default executor, the common ForkJoin pool, which on a machine of fewer
   * than 3 cores has parallelism 1, and then CompletableFuture starts a new thread per task
   * instead: one per fired deadline, 32 threads for 32 stalled answers (BoundedAnswerDeadlineTest).
   *
   * What the timer thread runs is cheap and never blocks: it cancels the subscription (the client
   * closes that connection) and fails the body, whose dependants are the HTTP client's own
   * bookkeeping. The caller's actions do not run there: HttpClient.sendAsync hands its callers'
   * dependants to CompletableFuture's default executor itself (JDK 17's HttpClientImpl), and a
   * caller of HttpClient.send wakes on its own thread. Only code that composes on getBody()
   * directly, outside an HttpClient, would run on the timer thread when the deadline ends the
   * body (BoundedAnswerDeadlineTest does, to see which thread that is); keep such code cheap.
   */

  /** An answer over the limit; its message names the answer and the limit. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }

    /**
     * The {@code TooLarge} that failed an exchange, however the HTTP client wrapped it (in a
     * {@link java.util.concurrent.CompletionException} or an {@link IOException}); null when
     * {@code failure} is another failure or null.
     */
    public static TooLarge in(Throwable failure) {
      return find(failure, TooLarge.class);
    }
  }

  /**
   * An answer whose head arrived but whose body did not complete within the timeout; its message
   * names the answer and the timeout. An {@link HttpTimeoutException}, as when the head is late.
   */
  public static final class TooSlow extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    TooSlow(String message) {
      super(message);
    }

    /** As {@link TooLarge#in}, for a {@code TooSlow}. */
    public static TooSlow in(Throwable failure) {
      return find(failure, TooSlow.class);
    }
  }

  /**
   * The one thread that runs every answer's deadline: it only hangs up on that answer and fails
   * its body (see the implementation notes). Daemon, so it never holds the JVM open; a deadline is
   * taken off its queue when its body completes first.
   */
  private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  /** Set once, by the first of a refusal and the deadline: only that one cancels the subscription. */
  private final AtomicBoolean ended = new AtomicBoolean();
  private final String what;
  private final long maxBytes;
  private final long declaredBytes;
  private final Duration timeout;
  private final long deadlineNanos;
  /** Touched only by the client's signals, which are serial. */
  private ByteArrayOutputStream received;
  private Flow.Subscription subscription;

  private BoundedAnswer(String what, long maxBytes, long declaredBytes, Duration timeout, long deadlineNanos) {
    this.what = what;
    this.maxBytes = maxBytes;
    this.declaredBytes = declaredBytes;
    this.timeout = timeout;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Reads one answer up to {@code maxBytes} and within {@code timeout} from now: make one handler
   * per request, just before sending it. An answer over the limit fails with {@link TooLarge}
   * ({@code <what> is over the body limit of <maxBytes> bytes (<why>)}); one whose body is not
   * complete in time fails with {@link TooSlow} ({@code <what> did not complete within <ms> ms
   * (its head arrived, its body did not)}). Give the request the same timeout, so that a late
   * head fails too.
   *
   * @param what names the answer for those messages, such as {@code answer from n2 to RequestVote}
   * @param maxBytes the most bytes of body read; positive
   * @param timeout how long the whole exchange may take; positive
   */
  public static HttpResponse.BodyHandler<byte[]> handler(String what, long maxBytes, Duration timeout) {
    Objects.requireNonNull(what, "what");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be positive");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
    }
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    return info -> new BoundedAnswer(what, maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1),
        timeout, deadlineNanos);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (declaredBytes > maxBytes) {
      refuse("its Content-Length is " + declaredBytes);
      return;
    }
    received = new ByteArrayOutputStream((int) Math.min(Math.max(declaredBytes, 256), 64 * 1024));
    subscription.request(Long.MAX_VALUE);
    // Started after request(), so the deadline's cancel() never overlaps it, and taken off the
    // timer's queue once the body completes either way.
    ScheduledFuture<?> deadline = DEADLINES.schedule(() -> end(new TooSlow(what + " did not complete within "
        + HttpTransport.millis(timeout) + " (its head arrived, its body did not)")), deadlineNanos - System.nanoTime(),
        TimeUnit.NANOSECONDS);
    body.whenComplete((bytes, failure) -> deadline.cancel(false));
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (ended.get() || received == null) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      if ((long) received.size() + buffer.remaining() > maxBytes) {
        refuse("more arrived");
        return;
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      received.writeBytes(bytes);
    }
  }

  @Override
  public void onError(Throwable failure) {
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    if (received != null && !body.isDone()) {
      body.complete(received.toByteArray());
    }
  }

  private void refuse(String why) {
    received = null;
    end(new TooLarge(what + " is over the body limit of " + maxBytes + " bytes (" + why + ")"));
  }

  /** Fails the body with {@code failure} and hangs up, unless the body is already done or ended. */
  private void end(IOException failure) {
    if (!body.isDone() && ended.compareAndSet(false, true)) {
      subscription.cancel();
      body.completeExceptionally(failure);
    }
  }

  private static ScheduledThreadPoolExecutor deadlines() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "pontoon-answer-deadline");
      thread.setDaemon(true);
      return thread;
    });
    // One task per answer: most bodies complete in time, so their cancelled deadlines must not
    // wait in the queue for their delay.
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
