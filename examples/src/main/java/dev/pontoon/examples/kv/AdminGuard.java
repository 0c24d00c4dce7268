package dev.pontoon.examples.kv;

import dev.pontoon.examples.httptransport.BearerToken;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who may call the KV server's admin endpoints (every path under {@code /admin/}): anyone
 * ({@link #unguarded()}), or only requests with the bearer token of a file, or only requests over
 * HTTPS with a client certificate that chains to the server's trusted CA, or both. A request that
 * lacks what is required gets 401 before the path is even looked at, so it changes nothing and
 * does not learn which admin paths exist. Immutable and thread-safe; {@link #toString()} does not
 * show the token.
 */
public final class AdminGuard {
  /** The fewest characters a token may have. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private final BearerToken token;
  private final boolean clientCertificate;

  private AdminGuard(BearerToken token, boolean clientCertificate) {
    this.token = token;
    this.clientCertificate = clientCertificate;
  }

  /** Admin endpoints open to every client of the HTTP port. */
  public static AdminGuard unguarded() {
    return new AdminGuard(null, false);
  }

  /**
   * Admin requests must carry {@code Authorization: Bearer <token>}, the token being the content
   * of {@code tokenFile} without surrounding white space; and, with {@code clientCertificate}, come
   * over HTTPS with a verified client certificate. {@code tokenFile} may be null when {@code
   * clientCertificate} is set.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the token is shorter than {@value #MIN_TOKEN_LENGTH}
   *     characters, or neither guard is asked for
   */
  public static AdminGuard of(Path tokenFile, boolean clientCertificate) throws IOException {
    BearerToken token = tokenFile == null ? null : BearerToken.read(tokenFile, "the admin token", MIN_TOKEN_LENGTH);
    if (token == null && !clientCertificate) {
      throw new IllegalArgumentException("an admin guard needs a token file, client certificates, or both");
    }
    return new AdminGuard(token, clientCertificate);
  }

  /** Whether admin requests need anything at all. */
  public boolean guarded() {
    return token != null || clientCertificate;
  }

  /** Whether admin requests need a client certificate (the server must then ask for one). */
  public boolean needsClientCertificate() {
    return clientCertificate;
  }

  /** Null if {@code request} may use the admin endpoints, else the 401 answer to send. */
  FullHttpResponse check(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (clientCertificate && !hasVerifiedClientCertificate(ctx)) {
      return unauthorized("admin endpoints need a client certificate from the cluster's CA, over HTTPS");
    }
    if (token != null && !token.matches(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      return unauthorized("admin endpoints need the header Authorization: Bearer <token>");
    }
    return null;
  }

  private static boolean hasVerifiedClientCertificate(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls == null) {
      return false;
    }
    try {
      return tls.engine().getSession().getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static FullHttpResponse unauthorized(String message) {
    FullHttpResponse response = HttpReplies.error(HttpResponseStatus.UNAUTHORIZED, message);
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"pontoon-kv admin\"");
    return response;
  }

  @Override
  public String toString() {
    return "AdminGuard[" + (token != null ? "bearer token" : "") + (token != null && clientCertificate ? " + " : "")
        + (clientCertificate ? "client certificate" : "") + (guarded() ? "" : "unguarded") + "]";
  }
}
