package dev.pontoon.examples.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for members that must know each other's addresses before start, chosen
 * below the kernel's ephemeral range (Linux: 32768 and up). A port from that range, free a moment
 * ago, can be taken before its member binds it by any outgoing connection's source port — by a
 * started member connecting to that very port, even (a TCP self-connect), and the member then
 * fails to bind. Ports below the range are never handed out as source ports.
 */
final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int BELOW_EPHEMERAL = 32_768;

  private FreePorts() {}

  static List<Integer> take(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int tries = 0; sockets.size() < count; tries++) {
        if (tries > 1000) {
          throw new IllegalStateException("no free loopback port in [" + LOWEST + ", " + BELOW_EPHEMERAL + ")");
        }
        try {
          sockets.add(new ServerSocket(random.nextInt(LOWEST, BELOW_EPHEMERAL), 1, InetAddress.getLoopbackAddress()));
        } catch (BindException taken) {
          // in use: try another
        }
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
