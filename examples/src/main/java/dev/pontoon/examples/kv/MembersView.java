package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster configuration as the HTTP API shows it, in {@code GET /status} and in the answers of
 * the membership endpoints. Field names are a contract with outside tools:
 *
 * <ul>
 *   <li>{@code members}: one object per member, in id order, with {@code id}, {@code role}
 *       ({@code voter} or {@code learner}), {@code http} and {@code raft} ({@code host:port}, null
 *       when unknown), and, only in a joint configuration, {@code voting-in}: {@code ["old"]},
 *       {@code ["new"]} or {@code ["old", "new"]};
 *   <li>{@code configuration}: {@code voters}, {@code learners}, {@code joint} (true while a joint
 *       configuration is in force) and, only then, {@code outgoing-voters} (C<sub>old</sub>;
 *       {@code voters} is then C<sub>new</sub>).
 * </ul>
 */
final class MembersView {
  private MembersView() {}

  /** The {@code members} list of {@code config}. */
  static List<Map<String, Object>> members(ClusterConfig config, PeerDirectory peers) {
    List<Map<String, Object>> members = new ArrayList<>();
    for (NodeId id : config.members()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("id", id.value());
      member.put("role", config.isVoter(id) ? "voter" : "learner");
      java.util.Optional<MemberAddress> recorded = MemberAddress.parse(config.address(id).orElse(null))
          .or(() -> peers.recorded(id));
      member.put("http", recorded.map(MemberAddress::http).or(() -> peers.httpAddress(id)).orElse(null));
      member.put("raft", recorded.map(MemberAddress::raft).orElse(null));
      if (config.isJoint()) {
        List<String> votingIn = new ArrayList<>();
        if (config.outgoingVoters().contains(id)) {
          votingIn.add("old");
        }
        if (config.voters().contains(id)) {
          votingIn.add("new");
        }
        member.put("voting-in", votingIn);
      }
      members.add(member);
    }
    return members;
  }

  /** The {@code configuration} object of {@code config}. */
  static Map<String, Object> configuration(ClusterConfig config) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("voters", ids(config.voters()));
    body.put("learners", ids(config.learners()));
    body.put("joint", config.isJoint());
    if (config.isJoint()) {
      body.put("outgoing-voters", ids(config.outgoingVoters()));
    }
    return body;
  }

  private static List<String> ids(java.util.Set<NodeId> ids) {
    return ids.stream().map(NodeId::value).toList();
  }
}
