package dev.pontoon.examples.kv;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster page: {@code GET /} (HTML) and its stylesheet and script under {@code /page/},
 * shipped as resources beside this class ({@code page/index.html}, {@code page/cluster.css},
 * {@code page/cluster.js}) and read once, when the first server starts. No build step and nothing from
 * the internet: the {@code Content-Security-Policy} on every asset lets the page load only from
 * its own node and call only the members' APIs ({@link PeerDirectory#apiOrigins()}).
 *
 * <p>Immutable after construction; any thread.
 */
final class PageAssets {
  private record Asset(String contentType, byte[] bytes) {}

  /** Read once per class loader: the resources never change while the jar is in use. */
  private static final class Resources {
    static final Map<String, Asset> ASSETS = Map.of(
        "/", new Asset("text/html; charset=utf-8", read("page/index.html")),
        "/page/cluster.css", new Asset("text/css; charset=utf-8", read("page/cluster.css")),
        "/page/cluster.js", new Asset("text/javascript; charset=utf-8", read("page/cluster.js")));
  }

  private final Map<String, Asset> assets;
  private final String contentSecurityPolicy;

  /**
   * The page for the cluster of {@code peers}.
   *
   * @throws ExceptionInInitializerError if a resource is missing from the classpath (a packaging error)
   */
  PageAssets(PeerDirectory peers) {
    this.assets = Resources.ASSETS;
    this.contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self' " + String.join(" ", peers.apiOrigins())
        + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }

  /** Whether {@code path} (the raw path, without query) is one of the page's assets. */
  boolean serves(String path) {
    return assets.containsKey(path);
  }

  /** The asset at {@code path}, with its content type and security headers; empty if there is none. */
  Optional<FullHttpResponse> get(String path) {
    Asset asset = assets.get(path);
    if (asset == null) {
      return Optional.empty();
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.wrappedBuffer(asset.bytes()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, asset.bytes().length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, contentSecurityPolicy)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer");
    return Optional.of(response);
  }

  private static byte[] read(String resource) {
    try (InputStream in = PageAssets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the cluster page's resource " + resource + " is missing beside "
            + PageAssets.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cluster page's resource " + resource, e);
    }
  }
}
