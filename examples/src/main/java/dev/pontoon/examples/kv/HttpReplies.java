package dev.pontoon.examples.kv;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Builds and writes the JSON answers of the KV HTTP API. Stateless; any thread. */
final class HttpReplies {
  /**
   * Renders the answers and reads the request bodies. Reading is strict: one JSON value and nothing
   * after it ({@code {"to":"a"} {"to":"b"}} is not read as its first object), and no field twice
   * ({@code {"to":"a","to":"b"}} is not read as its last one).
   */
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private HttpReplies() {}

  /** A JSON answer with {@code status} and {@code body} (a map, list or Jackson node). */
  static FullHttpResponse json(HttpResponseStatus status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON answer", e);
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  /**
   * {@code length} bytes of {@code bytes} as UTF-8 text, strictly: REPORT, not the JDK's default
   * REPLACE, under which two different byte strings that are not UTF-8 ({@code FF}, {@code FE})
   * would both read as U+FFFD, one text.
   *
   * @throws IllegalArgumentException "{@code what} must be UTF-8 text" (a 400)
   */
  static String utf8Text(byte[] bytes, int length, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " must be UTF-8 text");
    }
  }

  /**
   * {@code body} read as one JSON value with {@link #JSON}; null or a missing node for an empty body.
   *
   * @throws IllegalArgumentException "malformed JSON: …" naming what is wrong (a 400)
   */
  static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body);
    } catch (MismatchedInputException e) {
      // Jackson names the feature rather than the mistake.
      if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
        throw new IllegalArgumentException("malformed JSON: content after the JSON value");
      }
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** A JSON error {@code {"error": message}}. */
  static FullHttpResponse error(HttpResponseStatus status, String message) {
    return json(status, Map.of("error", message));
  }

  /**
   * Writes {@code answer} once it completes (a failure becomes a 500). Later requests on the
   * connection wait for it in {@link InOrderAnswers}, so that pipelined requests are answered in
   * order.
   */
  static void sendWhenDone(ChannelHandlerContext ctx, CompletableFuture<FullHttpResponse> answer, boolean keepAlive) {
    answer.whenComplete((response, failure) -> send(ctx,
        failure == null ? response : error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(failure)),
        keepAlive));
  }

  /**
   * Writes {@code response}, keeping the connection open only when the client asked for it
   * and the request was read whole.
   */
  static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
