package dev.pontoon.examples.httptransport;

import dev.pontoon.raft.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body of a peer's answer to a request this transport sent, read only up to a limit (the
 * transport's body limit, the same that bounds the requests it receives): a peer cannot make the
 * sending side hold an answer of any size. An answer whose {@code Content-Length} is over the
 * limit is refused before any of it is read; one that arrives without (chunked) is counted as it
 * arrives and refused once it passes the limit. Either way the subscription is cancelled (the
 * client closes that connection rather than read on) and the body completes with {@link
 * TooLarge}, which names the peer, the request and the limit; the transport drops that exchange
 * and nothing else.
 *
 * <p>One per answer; called by the HTTP client's threads, one signal at a time (reactive streams).
 */
final class BoundedAnswer implements HttpResponse.BodySubscriber<byte[]> {
  /** An answer over the limit; its message names the peer, the request and the limit. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final NodeId peer;
  private final String request;
  private final long maxBytes;
  private final long declaredBytes;
  private ByteArrayOutputStream received;
  private Flow.Subscription subscription;

  private BoundedAnswer(NodeId peer, String request, long maxBytes, long declaredBytes) {
    this.peer = peer;
    this.request = request;
    this.maxBytes = maxBytes;
    this.declaredBytes = declaredBytes;
  }

  /**
   * Reads answers from {@code peer} to {@code request} (a message type's name, for the error) up
   * to {@code maxBytes}.
   */
  static HttpResponse.BodyHandler<byte[]> handler(NodeId peer, String request, long maxBytes) {
    return info -> new BoundedAnswer(peer, request, maxBytes, info.headers().firstValueAsLong("Content-Length").orElse(-1));
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
    body.completeExceptionally(new TooLarge("answer from " + peer + " to " + request + " is over the body limit of "
        + maxBytes + " bytes (" + why + "); that exchange is dropped"));
  }
}
