package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.CoreStatus;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A Raft cluster you script step by step, as the paper's figures do: {@code N} {@link RaftCore}s
 * whose clocks move only when you {@link #tick} them and whose messages move only when you
 * {@link #deliver} them. Nothing happens between two calls, so a test reads like a figure:
 *
 * <pre>{@code
 * RaftCluster cluster = RaftCluster.builder().nodes(5).raftConfig(paper).build();
 * cluster.campaign(n1);
 * cluster.deliverAll();                                  // n1 wins term 1
 * cluster.partition(Set.of(n1, n2), Set.of(n3, n4, n5));
 * ClientResult r = cluster.clientRequest(n1, Bytes.ofUtf8("lost"));   // appended, never committed
 * cluster.campaign(n3);
 * cluster.deliverAll();                                  // n3 wins term 2 with n4 and n5
 * cluster.heal();
 * cluster.tick(200);                                     // heartbeats
 * cluster.deliverAll();                                  // n1 steps down; "lost" is replaced
 * assertEquals(List.of(), cluster.violations());
 * }</pre>
 *
 * <p><b>How a node runs.</b> Each node carries out its core's {@code Ready}s at once, the way the
 * runtime's contract says: its log and hard state are written to an {@link InMemoryLogStore} and
 * synced, every message it sends joins the in-flight list, committed entries are applied (kept in
 * order as {@link #committedEntries}). Disks are instant and never lose a synced write; a
 * {@link #crash} keeps the log and hard state (with the commit index saved in it, which the
 * restarted node applies up to at once) and loses the rest.
 *
 * <p><b>Messages</b> wait in flight, in the order sent, until {@link #deliver} or {@link
 * #deliverAll} hands them over — or {@link #drop} loses them. A message between two nodes that
 * a {@link #partition} separates, or to a node that is down, is lost when delivered.
 *
 * <p><b>The five properties of the paper's Figure 3</b> — Election Safety, Leader Append-Only, Log
 * Matching, Leader Completeness, State Machine Safety — together with monotonic terms and commit
 * indexes, are checked after every step (every tick, delivery, campaign and request), with the
 * simulator's checkers; {@link #violations()} returns what broke, as values. Errors are values
 * too: {@link #clientRequest} returns a {@link ClientResult}, and a message a core refuses as
 * malformed is dropped, as the runtime drops it.
 *
 * <p><b>Determinism.</b> Election timeouts are drawn from a generator seeded with
 * {@link Builder#seed}; the same script gives the same run. <b>Threading:</b> not thread-safe;
 * one test thread drives it. Snapshots are not modelled.
 *
 * <p><b>Membership.</b> {@link Builder#joiningNodes} adds nodes that start outside the
 * configuration, as {@code RaftServerBuilder.joining()} starts them; {@link #changeMembership}
 * asks a leader's core for a change (thesis chapter 4). An {@code AddVoter} adds the voter at
 * once: catching it up as a learner first is the runtime's part.
 *
 * @see ClientResult
 * @see Violation
 */
public final class RaftCluster {

  /** One node: its core, its disk and what it applied. */
  private static final class Node {
    final NodeId id;
    final int index;
    RaftCore core;
    InMemoryLogStore store = new InMemoryLogStore();
    final List<LogEntry> applied = new ArrayList<>();
    /** Whether it starts in the initial configuration; a joining node learns it from its log. */
    final boolean initialMember;
    long clock;
    boolean up = true;

    Node(NodeId id, int index, boolean initialMember) {
      this.id = id;
      this.index = index;
      this.initialMember = initialMember;
    }
  }

  private final ClusterConfig config;
  private final RaftConfig raftConfig;
  private final long tickMillis;
  private final SplittableRandom random;
  private final Map<NodeId, Node> nodes = new LinkedHashMap<>();
  private final List<RaftMessage> inFlight = new ArrayList<>();
  private final Map<NodeId, Integer> side = new HashMap<>();
  private final Invariants invariants;

  private RaftCluster(Builder b) {
    TreeSet<NodeId> ids = new TreeSet<>();
    for (int i = 1; i <= b.nodes; i++) {
      ids.add(NodeId.of("n" + i));
    }
    this.config = ClusterConfig.ofVoters(ids);
    this.raftConfig = b.raftConfig;
    this.tickMillis = b.tickMillis;
    this.random = new SplittableRandom(b.seed);
    this.invariants = new Invariants(b.nodes + b.joiningNodes);
    for (int i = 1; i <= b.nodes + b.joiningNodes; i++) {
      Node node = new Node(NodeId.of("n" + i), nodes.size(), i <= b.nodes);
      nodes.put(node.id, node);
      start(node);
    }
  }

  /** A builder: 3 nodes, {@link RaftConfig#defaults()}, ticks of 100 ms, seed 1. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code n} nodes ({@code n1} .. {@code nN}) with the defaults of {@link #builder()}. */
  public static RaftCluster of(int n) {
    return builder().nodes(n).build();
  }

  // ---------------------------------------------------------------- time

  /**
   * Moves every running node's clock on by {@code elapsedMillis}: each node ticks once per
   * {@link Builder#tickMillis} of its clock (the remainder carries over) and carries out what its
   * core decided.
   *
   * @return the messages that left, now in flight, in the order sent
   */
  public List<RaftMessage> tick(long elapsedMillis) {
    List<RaftMessage> sent = new ArrayList<>();
    for (Node node : nodes.values()) {
      sent.addAll(advance(node, elapsedMillis));
    }
    return sent;
  }

  /** Moves only {@code node}'s clock on by {@code elapsedMillis}; see {@link #tick(long)}. */
  public List<RaftMessage> tick(NodeId node, long elapsedMillis) {
    return advance(node(node), elapsedMillis);
  }

  private List<RaftMessage> advance(Node node, long elapsedMillis) {
    if (elapsedMillis < 0) {
      throw new IllegalArgumentException("elapsedMillis (" + elapsedMillis + ") must not be negative");
    }
    if (!node.up) {
      return List.of();
    }
    node.clock += elapsedMillis;
    List<RaftMessage> sent = new ArrayList<>();
    while (node.clock >= tickMillis) {
      node.clock -= tickMillis;
      node.core.tick();
      sent.addAll(drain(node));
    }
    return sent;
  }

  /**
   * {@code node}'s election timer fires now: it starts an election (a pre-vote first when PreVote
   * is on); a leader ignores it.
   *
   * @return the messages that left (its vote requests)
   */
  public List<RaftMessage> campaign(NodeId node) {
    Node n = node(node);
    if (!n.up) {
      return List.of();
    }
    n.core.campaign();
    return drain(n);
  }

  // ---------------------------------------------------------------- messages

  /** The messages sent and not yet delivered or dropped, oldest first. */
  public List<RaftMessage> inFlight() {
    return List.copyOf(inFlight);
  }

  /**
   * Delivers {@code message}: it leaves the in-flight list (a message not in it is delivered as
   * given — a script may forge one to show what a faulty peer does) and its receiver steps it,
   * unless the receiver is down or a partition separates the two, in which case it is lost.
   *
   * @return the messages the receiver sent in answer
   */
  public List<RaftMessage> deliver(RaftMessage message) {
    inFlight.remove(Objects.requireNonNull(message, "message"));
    Node to = nodes.get(message.to());
    if (to == null || !to.up || !connected(message.from(), message.to())) {
      return List.of();
    }
    try {
      to.core.step(message);
    } catch (IllegalArgumentException malformed) {
      return drain(to); // refused before any state change, as the runtime drops it
    }
    return drain(to);
  }

  /**
   * Delivers every message in flight, and every message sent in answer, until none is left.
   *
   * @return the messages delivered (or lost to a partition or a node that is down), in order
   * @throws IllegalStateException if the cluster keeps talking after a million messages
   */
  public List<RaftMessage> deliverAll() {
    List<RaftMessage> delivered = new ArrayList<>();
    while (!inFlight.isEmpty()) {
      if (delivered.size() >= 1_000_000) {
        throw new IllegalStateException("still " + inFlight.size() + " messages in flight after a million");
      }
      RaftMessage m = inFlight.get(0);
      delivered.add(m);
      deliver(m);
    }
    return delivered;
  }

  /** Loses {@code message}, as a network may. */
  public void drop(RaftMessage message) {
    inFlight.remove(message);
  }

  /** Loses every message in flight. */
  public void dropAll() {
    inFlight.clear();
  }

  // ---------------------------------------------------------------- faults

  /**
   * Splits the cluster: nodes in different groups cannot exchange messages (in either direction,
   * in flight ones included); a node named in no group is cut off from every other. Replaces any
   * earlier partition.
   *
   * @throws IllegalArgumentException if a node is named twice or is not a member
   */
  @SafeVarargs
  public final void partition(Collection<NodeId>... groups) {
    side.clear();
    for (int g = 0; g < groups.length; g++) {
      for (NodeId id : groups[g]) {
        node(id);
        if (side.put(id, g) != null) {
          throw new IllegalArgumentException(id + " is named in two groups");
        }
      }
    }
    int alone = groups.length;
    for (NodeId id : nodes.keySet()) {
      side.putIfAbsent(id, alone++);
    }
  }

  /** Cuts {@code node} off from the others, which still talk among themselves. */
  public void isolate(NodeId node) {
    List<NodeId> others = new ArrayList<>(nodes.keySet());
    others.remove(node(node).id);
    partition(List.of(node), others);
  }

  /** Ends any partition. */
  public void heal() {
    side.clear();
  }

  /** Whether a message from {@code from} reaches {@code to} now. */
  public boolean connected(NodeId from, NodeId to) {
    return side.isEmpty() || Objects.equals(side.get(from), side.get(to));
  }

  /** Stops {@code node}: its core and applied state are lost, its synced log and hard state kept. */
  public void crash(NodeId node) {
    Node n = node(node);
    if (n.up) {
      n.up = false;
      n.core = null;
      n.store = n.store.durableCopy();
      invariants.crashLeft(n.id, n.store);
      invariants.crashed(n.index, n.id);
    }
  }

  /** Starts a crashed {@code node} again from its log and hard state; it applies its log anew. */
  public List<RaftMessage> restart(NodeId node) {
    Node n = node(node);
    if (n.up) {
      return List.of();
    }
    start(n);
    return drain(n);
  }

  // ---------------------------------------------------------------- clients

  /** Sends {@code command} to the current {@link #leader()}; refused with "no leader" when there is none. */
  public ClientResult clientRequest(Bytes command) {
    Optional<NodeId> leader = leader();
    return leader.isPresent() ? clientRequest(leader.get(), command) : ClientResult.refused("no leader", null);
  }

  /**
   * Sends {@code command} to {@code node}: a leader appends it to its log (and sends it on); any
   * other node refuses it. The messages it sends join the in-flight list.
   */
  public ClientResult clientRequest(NodeId node, Bytes command) {
    return append(node, core -> core.propose(command));
  }

  /**
   * Asks {@code node} for a membership change: a leader appends the CONFIGURATION entry (for a
   * joint change, the joint one; the core leaves it on its own once it commits) and sends it on.
   * Refused as a value when {@code node} is down, not the leader, has a change in flight or has
   * not yet committed an entry of its term, or when the change does not fit the configuration.
   */
  public ClientResult changeMembership(NodeId node, List<MemberChange> changes) {
    Objects.requireNonNull(changes, "changes");
    return append(node, core -> core.proposeConfigChange(changes));
  }

  /**
   * Has {@code node}'s core append an entry with {@code proposal} and carries out what follows;
   * a refusal of the core (down, not the leader, or a refusal of the request itself) is a value.
   */
  private ClientResult append(NodeId node, Function<RaftCore, Proposal> proposal) {
    Node n = node(node);
    if (!n.up) {
      return ClientResult.refused(node + " is down", null);
    }
    Proposal p;
    try {
      p = proposal.apply(n.core);
    } catch (NotLeaderException e) {
      return ClientResult.refused(node + " is not the leader", e.leaderHint().orElse(null));
    } catch (MembershipChangeException | IllegalStateException | IllegalArgumentException e) {
      return ClientResult.refused(node + " refused: " + e.getMessage(), null);
    }
    drain(n);
    return ClientResult.appended(n.store.entries(p.index(), p.index() + 1, Long.MAX_VALUE).get(0));
  }

  // ---------------------------------------------------------------- observation

  /** The entries {@code node} applied since it last started — every kind, in log order. */
  public List<LogEntry> committedEntries(NodeId node) {
    return List.copyOf(node(node).applied);
  }

  /** {@code node}'s whole log, as its disk holds it. */
  public List<LogEntry> log(NodeId node) {
    InMemoryLogStore store = node(node).store;
    return store.lastIndex() == 0 ? List.of()
        : store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  /** {@code node}'s role, term, vote, leader and commit index; empty when it is down. */
  public Optional<CoreStatus> status(NodeId node) {
    Node n = node(node);
    return n.up ? Optional.of(n.core.status()) : Optional.empty();
  }

  /** {@code node}'s role ({@link Role#FOLLOWER} when down). */
  public Role role(NodeId node) {
    Node n = node(node);
    return n.up ? n.core.role() : Role.FOLLOWER;
  }

  /** {@code node}'s current term (its last durable one when down). */
  public long term(NodeId node) {
    Node n = node(node);
    return n.up ? n.core.term() : n.store.loadHardState().currentTerm();
  }

  /** The running leader of the highest term, if any (an older one may still think it leads). */
  public Optional<NodeId> leader() {
    Node best = null;
    for (Node n : nodes.values()) {
      if (n.up && n.core.role() == Role.LEADER && (best == null || n.core.term() > best.core.term())) {
        best = n;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.id);
  }

  /** The members, {@code n1} to {@code nN}. */
  public List<NodeId> members() {
    return List.copyOf(nodes.keySet());
  }

  /**
   * What broke so far, in the order found: empty while the five properties of Figure 3 and
   * monotonic terms and commit indexes hold. Checked after every step.
   */
  public List<Violation> violations() {
    return List.copyOf(invariants.violations());
  }

  // ---------------------------------------------------------------- driving one node

  private Node node(NodeId id) {
    Node n = nodes.get(Objects.requireNonNull(id, "node"));
    if (n == null) {
      throw new IllegalArgumentException(id + " is not a member of " + nodes.keySet());
    }
    return n;
  }

  private void start(Node n) {
    n.core = new RaftCore(n.id, n.initialMember ? config : null, raftConfig, n.store, n.store.loadHardState(), 0,
        random.split());
    n.applied.clear();
    n.clock = 0;
    n.up = true;
    invariants.restored(n.id, 0);
  }

  /** Carries out every Ready of {@code n} as the runtime's contract says, with an instant disk. */
  private List<RaftMessage> drain(Node n) {
    List<RaftMessage> sent = new ArrayList<>();
    while (n.core.hasReady()) {
      Ready r = n.core.ready();
      List<LogEntry> entries = r.entriesToAppend();
      long previousTerm = 0;
      if (!entries.isEmpty()) {
        long first = entries.get(0).index();
        if (first <= n.store.lastIndex()) {
          invariants.truncating(n.id, n.core.role(), n.core.term(), first, n.store.lastIndex());
        }
        previousTerm = first > 1 ? n.store.term(first - 1) : 0;
      }
      r.writeLogTo(n.store);
      n.store.sync();
      if (!entries.isEmpty()) {
        invariants.written(n.id, entries, previousTerm);
      }
      invariants.synced(n.id, n.store.loadHardState().currentTerm());
      sent.addAll(r.sendNow());
      sent.addAll(r.sendAfterSync());
      for (LogEntry e : r.committedEntries()) {
        invariants.applied(n.id, e);
        n.applied.add(e);
      }
      n.core.advance(r);
      if (!r.committedEntries().isEmpty()) {
        n.core.appliedTo(r.committedEntries().get(r.committedEntries().size() - 1).index());
      }
    }
    invariants.afterStep(n.index, n.core, n.store);
    inFlight.addAll(sent);
    return sent;
  }

  /** Sets up a {@link RaftCluster}. Not thread-safe. */
  public static final class Builder {
    private int nodes = 3;
    private int joiningNodes;
    private RaftConfig raftConfig = RaftConfig.defaults();
    private long tickMillis = 100;
    private long seed = 1;

    private Builder() {}

    /**
     * The number of voters, {@code n1} to {@code nN} (default 3).
     *
     * @throws IllegalArgumentException unless 1 to 9
     */
    public Builder nodes(int count) {
      if (count < 1 || count > 9) {
        throw new IllegalArgumentException("nodes (" + count + ") must be 1 to 9");
      }
      this.nodes = count;
      return this;
    }

    /**
     * Nodes that start outside the configuration, numbered after the voters (default 0): they
     * hear from a leader like any node, and vote and count once a {@link #changeMembership}
     * adds them.
     *
     * @throws IllegalArgumentException unless 0 to 8
     */
    public Builder joiningNodes(int count) {
      if (count < 0 || count > 8) {
        throw new IllegalArgumentException("joiningNodes (" + count + ") must be 0 to 8");
      }
      this.joiningNodes = count;
      return this;
    }

    /**
     * The core settings of every node (default {@link RaftConfig#defaults()}: PreVote and
     * CheckQuorum on; turn both off for the paper's basic algorithm).
     */
    public Builder raftConfig(RaftConfig config) {
      this.raftConfig = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The length of one core tick on the nodes' clocks (default 100 ms).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder tickMillis(long millis) {
      if (millis <= 0) {
        throw new IllegalArgumentException("tickMillis (" + millis + ") must be positive");
      }
      this.tickMillis = millis;
      return this;
    }

    /** The seed of the election timeouts (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The cluster: every node started, no message in flight, no clock moved.
     *
     * @throws IllegalArgumentException if voters and joining nodes are more than 9
     */
    public RaftCluster build() {
      if (nodes + joiningNodes > 9) {
        throw new IllegalArgumentException("nodes (" + nodes + ") and joiningNodes (" + joiningNodes
            + ") must be 9 at most together");
      }
      return new RaftCluster(this);
    }
  }
}
