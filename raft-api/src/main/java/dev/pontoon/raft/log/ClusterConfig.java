package dev.pontoon.raft.log;

import dev.pontoon.raft.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The members of a Raft cluster: voters, which count towards quorums, and learners, which
 * receive the log but neither vote nor count.
 *
 * <p><b>Joint consensus</b> (Raft thesis §4.3). While a change of several voters is in progress
 * the configuration is <em>joint</em>: {@code outgoingVoters} holds the old voters
 * (C<sub>old</sub>) and {@code voters} the new ones (C<sub>new</sub>). Every decision (commit,
 * election, ReadIndex, lease, CheckQuorum) then needs a majority of <em>each</em> set. Outside
 * a change {@code outgoingVoters} is empty and {@code voters} alone decides.
 *
 * <p><b>Addresses.</b> A member may carry an address string (for example {@code host:port}) that
 * a transport or a host uses to reach it. Pontoon itself never interprets it.
 *
 * <p><b>Encoding.</b> {@link #toBytes()} writes a version tag so that later fields can be added
 * without breaking stored logs; {@link #fromBytes} reads every earlier version.
 *
 * @param voters at least one; disjoint from {@code learners}. In a joint configuration, the
 *     incoming voters C<sub>new</sub>
 * @param learners may be empty; a learner may also be in {@code outgoingVoters} (a voter being
 *     demoted: it votes in C<sub>old</sub> until the joint configuration is left)
 * @param outgoingVoters empty, or the outgoing voters C<sub>old</sub> of a joint configuration
 * @param addresses optional address per member; every key is a member
 */
public record ClusterConfig(Set<NodeId> voters, Set<NodeId> learners, Set<NodeId> outgoingVoters,
    Map<NodeId, String> addresses) {

  /** Encoding of version 1: voters then learners, no tag (logs written before addresses). */
  private static final int LEGACY_VERSION = 1;
  /** Tag of the current encoding: a negative int where version 1 had a non-negative count. */
  private static final int VERSION_2_TAG = -2;
  private static final int MAX_MEMBERS = 10_000;

  public ClusterConfig {
    voters = sortedCopy(voters, "voters");
    learners = sortedCopy(learners, "learners");
    outgoingVoters = sortedCopy(outgoingVoters, "outgoingVoters");
    Objects.requireNonNull(addresses, "addresses");
    SortedMap<NodeId, String> sortedAddresses = new TreeMap<>();
    addresses.forEach((id, address) -> sortedAddresses.put(Objects.requireNonNull(id, "member id"),
        Objects.requireNonNull(address, "address of " + id)));
    addresses = Collections.unmodifiableSortedMap(sortedAddresses);
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a cluster configuration needs at least one voter");
    }
    for (NodeId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(learner + " cannot be both a voter and a learner");
      }
    }
    for (NodeId id : addresses.keySet()) {
      if (!voters.contains(id) && !learners.contains(id) && !outgoingVoters.contains(id)) {
        throw new IllegalArgumentException("address given for " + id + ", which is not a member");
      }
    }
  }

  /** A configuration that is not joint and has no addresses. */
  public ClusterConfig(Set<NodeId> voters, Set<NodeId> learners) {
    this(voters, learners, Set.of(), Map.of());
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

  /** Whether this is a joint configuration C<sub>old,new</sub> (thesis §4.3). */
  public boolean isJoint() {
    return !outgoingVoters.isEmpty();
  }

  /** Every node that votes in this configuration: {@code voters} and {@code outgoingVoters}. */
  public Set<NodeId> allVoters() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(outgoingVoters);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Voters (of either half of a joint configuration) and learners together. */
  public Set<NodeId> members() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(outgoingVoters);
    all.addAll(learners);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Whether {@code id} is a voter (of either half) or a learner. */
  public boolean contains(NodeId id) {
    return voters.contains(id) || learners.contains(id) || outgoingVoters.contains(id);
  }

  /** Whether {@code id} votes in this configuration (in either half of a joint one). */
  public boolean isVoter(NodeId id) {
    return voters.contains(id) || outgoingVoters.contains(id);
  }

  /** The address recorded for {@code id}, if any. */
  public Optional<String> address(NodeId id) {
    return Optional.ofNullable(addresses.get(id));
  }

  /**
   * The smallest number of voters that forms a majority of {@code voters}. In a joint
   * configuration each half needs its own majority; see {@link #isJoint()}.
   */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  /** Encodes this configuration as the payload of a {@link EntryKind#CONFIGURATION} entry. */
  public Bytes toBytes() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(VERSION_2_TAG);
      writeIds(out, voters);
      writeIds(out, learners);
      writeIds(out, outgoingVoters);
      out.writeInt(addresses.size());
      for (Map.Entry<NodeId, String> entry : addresses.entrySet()) {
        out.writeUTF(entry.getKey().value());
        out.writeUTF(entry.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrap(buffer.toByteArray());
  }

  /**
   * Decodes {@link #toBytes()} of this or any earlier version.
   *
   * @throws IllegalArgumentException if the bytes are not a valid configuration, or were written
   *     by a later version of this encoding
   */
  public static ClusterConfig fromBytes(Bytes bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      int first = in.readInt();
      ClusterConfig config;
      if (first >= 0) {
        // Version 1 had no tag: the first int is the voter count.
        Set<NodeId> voters = readIds(in, first);
        Set<NodeId> learners = readIds(in, in.readInt());
        config = new ClusterConfig(voters, learners);
      } else if (first == VERSION_2_TAG) {
        Set<NodeId> voters = readIds(in, in.readInt());
        Set<NodeId> learners = readIds(in, in.readInt());
        Set<NodeId> outgoing = readIds(in, in.readInt());
        int n = checkedCount(in.readInt());
        Map<NodeId, String> addresses = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          addresses.put(new NodeId(in.readUTF()), in.readUTF());
        }
        config = new ClusterConfig(voters, learners, outgoing, addresses);
      } else {
        throw new IllegalArgumentException("unknown cluster configuration encoding (tag " + first
            + "); this version reads versions " + LEGACY_VERSION + " and 2");
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("trailing bytes after cluster configuration");
      }
      return config;
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed cluster configuration: " + e.getMessage(), e);
    }
  }

  private static Set<NodeId> sortedCopy(Set<NodeId> ids, String what) {
    Objects.requireNonNull(ids, what);
    return Collections.unmodifiableSortedSet(new TreeSet<>(ids));
  }

  private static void writeIds(DataOutputStream out, Set<NodeId> ids) throws IOException {
    out.writeInt(ids.size());
    for (NodeId id : ids) {
      out.writeUTF(id.value());
    }
  }

  private static int checkedCount(int n) throws IOException {
    if (n < 0 || n > MAX_MEMBERS) {
      throw new IOException("implausible member count " + n);
    }
    return n;
  }

  private static Set<NodeId> readIds(DataInputStream in, int count) throws IOException {
    int n = checkedCount(count);
    Set<NodeId> ids = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(new NodeId(in.readUTF()));
    }
    return ids;
  }
}
