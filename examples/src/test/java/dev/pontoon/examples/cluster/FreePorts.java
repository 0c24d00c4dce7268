package dev.pontoon.examples.cluster;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import java.util.ArrayList;
import java.util.List;

/** Members on loopback ports from {@link LoopbackPorts}: distinct in the run, outside the ephemeral range. */
final class FreePorts {
  private FreePorts() {}

  static List<Integer> take(int count) {
    return LoopbackPorts.take(count);
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
