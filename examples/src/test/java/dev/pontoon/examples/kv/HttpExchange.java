package dev.pontoon.examples.kv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Feeds raw HTTP bytes to the KV server's pipeline on an {@code EmbeddedChannel} and reads the answer. */
final class HttpExchange {
  final EmbeddedChannel channel;

  HttpExchange(FakeRaftNode node, KvHttpConfig config) {
    this(node, config, AdminGuard.unguarded());
  }

  HttpExchange(FakeRaftNode node, KvHttpConfig config, AdminGuard admin) {
    channel = new EmbeddedChannel();
    KvHttpServer.pipeline(channel, new KvHttpHandler(node, node.log,
        new PeerDirectory(java.util.Map.of(node.id(), "127.0.0.1:8081",
            dev.pontoon.raft.NodeId.of("n2"), "127.0.0.1:8082", dev.pontoon.raft.NodeId.of("n3"), "127.0.0.1:8083")),
        config, admin), config);
  }

  /** Writes {@code raw} and returns what the server wrote back (possibly nothing). */
  String send(byte[] raw) {
    channel.writeInbound(Unpooled.wrappedBuffer(raw));
    channel.runPendingTasks();
    return drain();
  }

  String send(String raw) {
    return send(raw.getBytes(StandardCharsets.UTF_8));
  }

  String drain() {
    StringBuilder out = new StringBuilder();
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      out.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return out.toString();
  }

  static String request(String method, String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
  }

  static int status(String response) {
    if (!response.startsWith("HTTP/1.1 ")) {
      throw new AssertionError("not an HTTP answer: '" + response + "'");
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  static String header(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.isEmpty()) {
        break;
      }
      if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? "" : response.substring(at + 4);
  }
}
