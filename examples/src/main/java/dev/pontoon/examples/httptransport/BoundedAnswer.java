package dev.pontoon.examples.httptransport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body of an answer to a request this node sent to another member, read only up to a limit,
 * so that a member cannot make this node hold an answer of any size: the HTTP transport reads
 * peers' answers up to its body limit (the same that bounds the requests it receives), and the KV
 * node's {@code GET /cluster} reads members' {@code /status} up to a limit of its own. An answer
 * whose {@code Content-Length} is over the limit is refused before any of it is read; one that
 * arrives without (chunked, or until the connection closes) is counted as it arrives and refused
 * once it passes the limit. Either way the subscription is cancelled (the client closes that
 * connection rather than read on) and the body completes with {@link TooLarge}, which names the
 * answer and the limit; the caller fails that exchange and nothing else.
 *
 * <p>One per answer, made by the {@link #handler handler}; called by the HTTP client's threads,
 * one signal at a time (reactive streams).
 */
public final class BoundedAnswer implements HttpResponse.BodySubscriber<byte[]> {
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
      for (Throwable t = failure; t != null; t = t.getCause()) {
        if (t instanceof TooLarge tooLarge) {
          return tooLarge;
        }
      }
      return null;
    }
  }

  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final String what;
  private final long maxBytes;
  private final long declaredBytes;
  private ByteArrayOutputStream received;
  private Flow.Subscription subscription;

  private BoundedAnswer(String what, long maxBytes, long declaredBytes) {
    this.what = what;
    this.maxBytes = maxBytes;
    this.declaredBytes = declaredBytes;
  }

  /**
   * Reads answers up to {@code maxBytes}; one over it fails with {@link TooLarge}, whose message
   * is {@code <what> is over the body limit of <maxBytes> bytes (<why>)}.
   *
   * @param what names the answer for that message, such as {@code answer from n2 to RequestVote}
   * @param maxBytes the most bytes of body read; positive
   */
  public static HttpResponse.BodyHandler<byte[]> handler(String what, long maxBytes) {
    Objects.requireNonNull(what, "what");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be positive");
    }
    return info -> new BoundedAnswer(what, maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
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
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
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
    if (!body.isDone()) {
      body.complete(received.toByteArray());
    }
  }

  private void refuse(String why) {
    received = null;
    subscription.cancel();
    body.completeExceptionally(new TooLarge(what + " is over the body limit of " + maxBytes + " bytes (" + why + ")"));
  }
}
