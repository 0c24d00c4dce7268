package dev.pontoon.examples.kv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link KvHttpServer} on a loopback port in front of a {@link FakeRaftNode}, and a raw client
 * for it: requests written byte for byte over a real socket, in one write when several are given
 * (pipelined), and everything the server sent read until it closes the connection.
 */
final class LoopbackHttp implements AutoCloseable {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
  private final KvHttpServer server;

  LoopbackHttp(FakeRaftNode node, KvHttpConfig config) {
    server = KvHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), node, node.log,
        Map.of(node.id(), "127.0.0.1:0"), config);
  }

  /** A request that asks the server to close the connection after its answer. */
  byte[] request(String method, String path, byte[] body) {
    return request(method, path, body, "close");
  }

  byte[] request(String method, String path, String body) {
    return request(method, path, body.getBytes(StandardCharsets.UTF_8));
  }

  /** A request with {@code connection} ({@code keep-alive} or {@code close}). */
  byte[] request(String method, String path, byte[] body, String connection) {
    return build(method, path, "Connection: " + connection + "\r\n", body);
  }

  private byte[] build(String method, String path, String headers, byte[] body) {
    byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.address().getPort() + "\r\n" + headers
        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] whole = new byte[head.length + body.length];
    System.arraycopy(head, 0, whole, 0, head.length);
    System.arraycopy(body, 0, whole, head.length, body.length);
    return whole;
  }

  /** The port the server listens on (for a {@code Host} header it answers to). */
  int port() {
    return server.address().getPort();
  }

  /** Writes {@code requests} in one write and returns all the server sent until it closed the connection. */
  String exchange(byte[]... requests) throws IOException {
    InetSocketAddress address = server.address();
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(20_000);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (byte[] r : requests) {
        all.write(r);
      }
      OutputStream out = socket.getOutputStream();
      out.write(all.toByteArray());
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The status codes of the answers in {@code answers}, in the order they were sent. */
  static List<Integer> statuses(String answers) {
    List<Integer> statuses = new ArrayList<>();
    Matcher m = STATUS_LINE.matcher(answers);
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return statuses;
  }

  @Override
  public void close() {
    server.close();
  }
}
