package dev.pontoon.raft.log;

import dev.pontoon.raft.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The members of a Raft cluster: voters, which count towards quorums, and learners, which
 * receive the log but neither vote nor count.
 *
 * @param voters at least one; disjoint from {@code learners}
 * @param learners may be empty
 */
public record ClusterConfig(Set<NodeId> voters, Set<NodeId> learners) {
  public ClusterConfig {
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(voters, "voters")));
    learners = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(learners, "learners")));
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a cluster configuration needs at least one voter");
    }
    for (NodeId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(learner + " cannot be both a voter and a learner");
      }
    }
  }

  /** A configuration of voters only. */
  public static ClusterConfig ofVoters(Set<NodeId> voters) {
    return new ClusterConfig(voters, Set.of());
  }

  /** A configuration of voters only, by id. */
  public static ClusterConfig ofVoters(String... ids) {
    SortedSet<NodeId> set = new TreeSet<>();
    for (String id : ids) {
      set.add(new NodeId(id));
    }
    return ofVoters(set);
  }

  /** Voters and learners together. */
  public Set<NodeId> members() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(learners);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Whether {@code id} is a voter or a learner. */
  public boolean contains(NodeId id) {
    return voters.contains(id) || learners.contains(id);
  }

  /** The smallest number of voters that forms a majority. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  /** Encodes this configuration as the payload of a {@link EntryKind#CONFIGURATION} entry. */
  public Bytes toBytes() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      writeIds(out, voters);
      writeIds(out, learners);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrap(buffer.toByteArray());
  }

  /**
   * Decodes {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if the bytes are not a valid configuration
   */
  public static ClusterConfig fromBytes(Bytes bytes) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      Set<NodeId> voters = readIds(in);
      Set<NodeId> learners = readIds(in);
      if (in.available() > 0) {
        throw new IllegalArgumentException("trailing bytes after cluster configuration");
      }
      return new ClusterConfig(voters, learners);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed cluster configuration: " + e.getMessage(), e);
    }
  }

  private static void writeIds(DataOutputStream out, Set<NodeId> ids) throws IOException {
    out.writeInt(ids.size());
    for (NodeId id : ids) {
      out.writeUTF(id.value());
    }
  }

  private static Set<NodeId> readIds(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 10_000) {
      throw new IOException("implausible member count " + n);
    }
    Set<NodeId> ids = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(new NodeId(in.readUTF()));
    }
    return ids;
  }
}
