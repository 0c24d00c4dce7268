package dev.pontoon.examples.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ephemeral loopback ports chosen by the OS, for members that must know each other's addresses before start. */
final class FreePorts {
  private FreePorts() {}

  static List<Integer> take(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket cannot lose anything
        }
      }
    }
  }

  /** Three members n1..n3 on loopback with fresh HTTP and Raft ports. */
  static List<NodeSpec> members() {
    List<Integer> ports = take(6);
    List<NodeSpec> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(NodeSpec.parse("n" + (i + 1) + "=127.0.0.1:" + ports.get(i) + "/127.0.0.1:" + ports.get(i + 3)));
    }
    return members;
  }

  /** Three members on loopback for the HTTP/JSON transport: each id is its address, which serves HTTP and Raft. */
  static List<NodeSpec> sharedPortMembers() {
    return take(3).stream().map(port -> NodeSpec.parseSharedPort("127.0.0.1:" + port)).toList();
  }

  /** {@link #members()} or {@link #sharedPortMembers()}, as {@code transport} needs. */
  static List<NodeSpec> members(String transport) {
    return transport.equals("http") ? sharedPortMembers() : members();
  }
}
