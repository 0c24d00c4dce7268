package dev.pontoon.examples.kv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Optional;

/**
 * What {@code POST /admin/members} asks for, and the change it makes to a configuration. The body
 * is {@code {"id": ..., "http": "host:port", "raft": "host:port", "role": "voter"|"learner"}};
 * {@code raft} defaults to {@code http} (the HTTP/JSON transport serves Raft on the HTTP port) and
 * {@code role} to {@code voter}.
 *
 * <p>The request is idempotent, so that a client whose answer was lost can send it again: a
 * learner asked to be a voter is promoted; a member that already has the role asked for needs no
 * change. Demoting a voter to learner is not offered (remove it, then add it as a learner).
 *
 * @param id the member
 * @param address where it listens, stored in the configuration
 * @param voter whether it should vote
 */
record MemberRequests(NodeId id, MemberAddress address, boolean voter) {

  /**
   * Reads the body.
   *
   * @throws IllegalArgumentException naming what is malformed (a 400)
   */
  static MemberRequests parse(String body) {
    JsonNode tree = HttpReplies.readJson(body);
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("body must be a JSON object with \"id\", \"http\", \"raft\" and \"role\"");
    }
    String id = text(tree, "id", null);
    String http = text(tree, "http", null);
    String raft = text(tree, "raft", http);
    String role = text(tree, "role", "voter");
    if (!role.equals("voter") && !role.equals("learner")) {
      throw new IllegalArgumentException("\"role\" must be voter or learner, not '" + role + "'");
    }
    NodeId nodeId;
    try {
      nodeId = new NodeId(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"id\": " + e.getMessage());
    }
    return new MemberRequests(nodeId, new MemberAddress(http, raft), role.equals("voter"));
  }

  /**
   * The change that gives {@code config} this member in this role: empty when it already has it.
   *
   * @throws IllegalArgumentException when the request asks to demote a voter (a 400)
   */
  Optional<MemberChange> changeTo(ClusterConfig config) {
    if (config.isVoter(id)) {
      if (!voter) {
        throw new IllegalArgumentException(id + " is a voter; demoting a voter is not offered: remove it, then add it "
            + "as a learner");
      }
      return Optional.empty();
    }
    if (config.learners().contains(id)) {
      return voter ? Optional.of(new MemberChange.Promote(id)) : Optional.empty();
    }
    return Optional.of(voter ? new MemberChange.AddVoter(id, address.encode())
        : new MemberChange.AddLearner(id, address.encode()));
  }

  private static String text(JsonNode tree, String field, String fallback) {
    JsonNode value = tree.get(field);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        throw new IllegalArgumentException("missing \"" + field + "\"");
      }
      return fallback;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string");
    }
    return value.asText();
  }
}
