package dev.pontoon.examples.demo;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code examples/bin/pontoon-demo [--nodes N] [--log FILE]}: Raft nodes N1..NN (3 to 5, default
 * 5) in one process on the in-memory transport, with election timeouts of 1 to 3 s, narrated on
 * stdout as a timeline of five scenes:
 * <ol>
 *   <li>Example 1, electing a leader: every node starts as a follower in term 0 with an empty
 *       log; pre-votes, vote requests and votes; the winner of term 1;
 *   <li>Example 2, replicating {@code "data1"}: the new leader's no-op, its heartbeats, the
 *       AppendEntries that carry {@code "data1"}, each follower appending it and acknowledging,
 *       the commit, and the followers applying it;
 *   <li>the leader killed, a new leader elected (with its own no-op), {@code "data2"} committed, and
 *       the old leader restarted from its log and caught up;
 *   <li>a split brain: the leader cut off in a minority keeps its role while the majority elects
 *       another; the old leader appends {@code "lost"}, which it cannot commit, while the new one
 *       commits {@code "data3"};
 *   <li>the partition heals: the old leader steps down, and the new leader repairs the
 *       conflicting logs (refusals, backing up, overwriting {@code "lost"}); every log is then the
 *       same.
 * </ol>
 * Exits 0 when every step happened, 1 otherwise, 2 on bad flags. The nodes' own log lines are
 * off, or go to {@code --log FILE}, so that they never interleave with the narration.
 *
 * <p>Messages are observed by wrapping each node's transport ({@link WatchedTransport}) and told
 * by the {@link Narrator}.
 */
public final class TeachingDemo {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  private final Narrator narrator;
  private final DemoCluster cluster;
  private final int size;
  private final Duration tick;
  private NodeId leader;
  /** The split brain's old leader, the minority it is cut off in, and what happened on each side. */
  private NodeId oldLeader;
  private Set<NodeId> minority;
  private CompletableFuture<Bytes> lost;
  private long data3;

  TeachingDemo(PrintStream out, DemoOptions options) {
    this.cluster = new DemoCluster(options.nodes(), options.tick(), out);
    this.narrator = cluster.narrator();
    this.size = options.nodes();
    this.tick = options.tick();
  }

  public static void main(String[] args) {
    List<String> all = Arrays.asList(args);
    if (all.contains("--help") || all.contains("-h")) {
      System.out.println(DemoOptions.USAGE);
      System.exit(0);
    }
    DemoOptions options = null;
    try {
      options = DemoOptions.parse(all);
    } catch (IllegalArgumentException e) {
      System.err.println("pontoon-demo: " + e.getMessage());
      System.err.println(DemoOptions.USAGE);
      System.exit(2);
    }
    routeNodeLogs(options.logFile());
    TeachingDemo demo = new TeachingDemo(System.out, options);
    boolean ok;
    try {
      ok = demo.run();
    } finally {
      demo.stopAll();
    }
    System.exit(ok ? 0 : 1);
  }

  /**
   * Sends the nodes' own log lines nowhere, or to {@code logFile}: the narration alone is on the
   * terminal. Must run before the first node logs (slf4j-simple reads these when it starts).
   */
  static void routeNodeLogs(Path logFile) {
    if (logFile == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
    } else {
      System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toAbsolutePath().toString());
    }
  }

  boolean run() {
    return electLeader() && replicateData1() && replaceTheFailedLeader() && splitBrain() && healAndRepair();
  }

  private boolean electLeader() {
    say("== Example 1: electing a leader" + (size == 3 ? "" : " (the specification's example has 3 nodes: --nodes 3)")
        + " ==");
    say(cluster.ids() + " start as followers in term 0, with empty logs. A follower that hears from no leader "
        + "for its election timeout (random, between " + seconds(tick.multipliedBy(10)) + " and "
        + seconds(tick.multipliedBy(30)) + ") campaigns");
    cluster.ids().forEach(cluster::start);
    Optional<NodeId> elected = awaitLeader(cluster.ids(), 0);
    if (elected.isEmpty()) {
      return fail("no leader was elected");
    }
    leader = elected.get();
    say(leader + " is the leader of term " + term(leader) + ", and all " + size + " nodes know it");
    return true;
  }

  private boolean replicateData1() {
    say("== Example 2: replicating \"data1\" ==");
    say("a client sends \"data1\" to the leader " + leader + ", which appends it to its log and sends it to its "
        + "followers in AppendEntries");
    long index = submit(leader, "data1");
    if (index < 0) {
      return false;
    }
    say("\"data1\" is committed at index " + index + ": a majority of the " + size + " nodes stored it. " + leader
        + " applies it and answers the client; the followers learn the commit index from its next AppendEntries");
    return awaitApplied("data1", index, cluster.running());
  }

  private boolean replaceTheFailedLeader() {
    NodeId old = leader;
    long oldTerm = term(old);
    say("== The leader fails ==");
    say("killing the leader " + old + ": it stops at once, as in a crash; its log stays on its disk");
    cluster.kill(old);
    Optional<NodeId> elected = awaitLeader(cluster.running(), oldTerm);
    if (elected.isEmpty()) {
      return fail("no new leader was elected among " + cluster.running());
    }
    leader = elected.get();
    say(leader + " is the new leader, of term " + term(leader));
    long index = submit(leader, "data2");
    if (index < 0) {
      return false;
    }
    say("\"data2\" is committed at index " + index);
    say(old + " restarts on its log " + cluster.log(old) + " and hears from " + leader
        + ", which sends it what it missed");
    cluster.restart(old);
    return awaitApplied("data2", index, cluster.running());
  }

  private boolean splitBrain() {
    oldLeader = leader;
    long oldTerm = term(oldLeader);
    minority = new TreeSet<>(List.of(oldLeader));
    for (NodeId id : cluster.ids()) {
      if (minority.size() < (size - 1) / 2 && !id.equals(oldLeader)) {
        minority.add(id);
      }
    }
    Set<NodeId> majority = new TreeSet<>(cluster.ids());
    majority.removeAll(minority);
    say("== A split brain ==");
    say("the network splits in two: " + minority + " | " + majority + ". " + oldLeader + " cannot tell that the "
        + "network failed: it stays leader of term " + oldTerm + " in the minority (CheckQuorum, which would make it "
        + "step down, is off in this demo)");
    cluster.partition(List.of(minority, majority));
    say("a client sends \"lost\" to " + oldLeader + ", which appends it; with " + minority.size() + " of " + size
        + " nodes it can never commit it");
    lost = cluster.node(oldLeader).submit(Bytes.ofUtf8("lost"));
    if (!await(() -> minority.stream().allMatch(id -> cluster.log(id).toString().contains("\"lost\"")))) {
      return fail("\"lost\" did not reach " + minority);
    }
    Optional<NodeId> elected = awaitLeader(majority, oldTerm);
    if (elected.isEmpty()) {
      return fail("the majority " + majority + " elected no leader");
    }
    leader = elected.get();
    RaftNodeStatus old = cluster.node(oldLeader).status();
    if (old.role() != Role.LEADER) {
      return fail(oldLeader + " stopped leading in the minority");
    }
    say("two nodes are leaders now: " + oldLeader + " of term " + old.term() + " in the minority and " + leader
        + " of term " + term(leader) + " in the majority. Only a majority commits, so only " + leader + " can");
    data3 = submit(leader, "data3");
    if (data3 < 0) {
      return false;
    }
    say("\"data3\" is committed at index " + data3 + " by the majority. The logs now differ:");
    showLogs();
    return true;
  }

  private boolean healAndRepair() {
    say("== The partition heals: the leader repairs the conflicting logs ==");
    say("every node hears of term " + term(leader) + ". " + leader + " makes every log match its own: a follower "
        + "refuses AppendEntries whose prevLogIndex and prevLogTerm it does not hold, until the leader has backed up to "
        + "where their logs agree; there it deletes the entries that conflict and appends the leader's (§5.3)");
    cluster.heal();
    if (!awaitApplied("data3", data3, cluster.running())) {
      return false;
    }
    try {
      lost.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return fail("\"lost\" was committed");
    } catch (ExecutionException e) {
      say("the client of \"lost\" hears from " + oldLeader + ": " + e.getCause().getMessage()
          + ". It did not commit: it is in no log any more");
    } catch (Exception e) {
      return fail("the client of \"lost\" got no answer: " + e);
    }
    return compareLogs();
  }

  private boolean compareLogs() {
    long commit = cluster.running().stream().mapToLong(id -> cluster.node(id).status().commitIndex()).min().orElse(0);
    if (!await(() -> cluster.running().stream().map(cluster::log).distinct().count() == 1)) {
      showLogs();
      return fail("the logs differ");
    }
    showLogs();
    if (cluster.log(leader).toString().contains("\"lost\"")) {
      return fail("\"lost\" is still in the logs");
    }
    say("the log is the same on all " + size + " nodes, committed up to index " + commit + " at least");
    return true;
  }

  private void showLogs() {
    for (NodeId id : cluster.running()) {
      say("  " + id + " log " + cluster.log(id));
    }
  }

  /** Waits until every node of {@code among} names the same leader, of a term above {@code aboveTerm}, in {@code among}. */
  private Optional<NodeId> awaitLeader(Set<NodeId> among, long aboveTerm) {
    NodeId[] found = new NodeId[1];
    boolean agreed = await(() -> {
      Set<NodeId> leaders = new TreeSet<>();
      for (NodeId id : among) {
        RaftNodeStatus s = cluster.node(id).status();
        if (s.leader() == null || s.term() <= aboveTerm) {
          return false;
        }
        leaders.add(s.leader());
      }
      found[0] = leaders.size() == 1 ? leaders.iterator().next() : null;
      return found[0] != null && among.contains(found[0]) && cluster.node(found[0]).status().role() == Role.LEADER;
    });
    return agreed ? Optional.of(found[0]) : Optional.empty();
  }

  /** Submits {@code note} to {@code to}; returns the index it committed at, or -1 after telling why not. */
  private long submit(NodeId to, String note) {
    try {
      String result = cluster.node(to).submit(Bytes.ofUtf8(note)).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .toUtf8();
      return Long.parseLong(result.substring(result.lastIndexOf(' ') + 1));
    } catch (Exception e) {
      fail("\"" + note + "\" was not committed: " + e);
      return -1;
    }
  }

  private boolean awaitApplied(String note, long index, Set<NodeId> on) {
    if (!await(() -> on.stream().allMatch(id -> cluster.node(id).status().lastApplied() >= index))) {
      return fail("\"" + note + "\" was not applied everywhere");
    }
    say("\"" + note + "\" is applied on all " + on.size() + " nodes " + on);
    return true;
  }

  /**
   * Waits until {@code condition} holds: it is checked again whenever a node sends a message
   * (every change of state in Raft is followed by one, at the latest by the next heartbeat), and
   * at least every 100 ms.
   */
  private boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    synchronized (cluster.traffic) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          cluster.traffic.wait(Math.max(1, Math.min(100, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private long term(NodeId id) {
    return cluster.node(id).status().term();
  }

  private static String seconds(Duration duration) {
    return String.format("%.1f s", duration.toMillis() / 1000.0);
  }

  private boolean fail(String why) {
    say("FAILED: " + why);
    return false;
  }

  private void say(String line) {
    narrator.say(line);
  }

  void stopAll() {
    cluster.close();
  }
}
