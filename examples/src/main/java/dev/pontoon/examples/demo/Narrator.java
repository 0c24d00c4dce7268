package dev.pontoon.examples.demo;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Tells what the nodes' messages mean, one line each, as they are sent: pre-votes, vote requests
 * and votes; a new leader's first AppendEntries and its no-op; AppendEntries that carry entries,
 * their acknowledgements and refusals; the first heartbeat to each follower in each term.
 * Repeats (retries, later heartbeats) are told once, and messages the network drops across a
 * partition are not told at all.
 *
 * <p><b>Threading.</b> {@link #watch} runs on the nodes' threads, before the message leaves;
 * lines are printed whole, one at a time, so they never interleave.
 */
final class Narrator {
  private final PrintStream out;
  private final Duration heartbeat;
  /** Each node's log as it is now, read when a message leaves (so before its receiver acts on it). */
  private final Function<NodeId, List<LogEntry>> logs;
  private final long start = System.nanoTime();
  private final Set<String> told = ConcurrentHashMap.newKeySet();
  /** Per "leader>follower@term": the last index of the entries told as sent. */
  private final Map<String, Long> sent = new ConcurrentHashMap<>();
  /** Per "leader>follower@term": the prevLogIndex of the last AppendEntries told as sent. */
  private final Map<String, Long> sentAfter = new ConcurrentHashMap<>();
  /** Per "leader>follower@term": the highest match index told as acknowledged. */
  private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
  /** Partition side of each node; empty when the network is whole. */
  private volatile Map<NodeId, Integer> sides = Map.of();

  /**
   * @param heartbeat how often a leader sends heartbeats, for the narration
   * @param logs each node's current log, to tell which entries a receiver will have to replace
   */
  Narrator(PrintStream out, Duration heartbeat, Function<NodeId, List<LogEntry>> logs) {
    this.out = out;
    this.heartbeat = heartbeat;
    this.logs = logs;
  }

  /** Prints one line of the story, stamped with the seconds since the demo started. */
  synchronized void say(String line) {
    out.printf("[%6.2fs] %s%n", (System.nanoTime() - start) / 1e9, line);
    out.flush();
  }

  /** From now on, messages between {@code sides} are dropped and not told. */
  void partition(List<Set<NodeId>> parts) {
    Map<NodeId, Integer> next = new ConcurrentHashMap<>();
    for (int i = 0; i < parts.size(); i++) {
      for (NodeId id : parts.get(i)) {
        next.put(id, i);
      }
    }
    sides = Map.copyOf(next);
  }

  void heal() {
    sides = Map.of();
  }

  private boolean crossesPartition(RaftMessage m) {
    Map<NodeId, Integer> current = sides;
    return !current.isEmpty() && !current.getOrDefault(m.from(), -1).equals(current.getOrDefault(m.to(), -2));
  }

  /** Tells what {@code message} means, if it is news. */
  void watch(RaftMessage message) {
    if (crossesPartition(message)) {
      return;
    }
    if (message instanceof RequestVote rv) {
      requestVote(rv);
    } else if (message instanceof RequestVoteResponse vote && !vote.preVote()
        && told.add("vote " + vote.from() + ">" + vote.to() + "@" + vote.term())) {
      say("  " + vote.from() + (vote.voteGranted() ? " votes for " : " refuses its vote to ") + vote.to()
          + " in term " + vote.term());
    } else if (message instanceof AppendEntries ae) {
      appendEntries(ae);
    } else if (message instanceof AppendEntriesResponse r) {
      appendEntriesResponse(r);
    }
  }

  private void requestVote(RequestVote rv) {
    if (rv.preVote() && told.add("pre-vote " + rv.from() + "@" + rv.term())) {
      say(rv.from() + " heard from no leader for its election timeout. It first asks the others whether they would "
          + "vote for it in term " + rv.term() + " (a pre-vote: nobody changes term yet)");
    } else if (!rv.preVote() && told.add("campaign " + rv.from() + "@" + rv.term())) {
      say(rv.from() + " becomes a candidate: it moves to term " + rv.term() + ", votes for itself and asks the others "
          + "for their votes (its last entry: index " + rv.lastLogIndex() + ", term " + rv.lastLogTerm() + ")");
    }
  }

  private void appendEntries(AppendEntries ae) {
    if (told.add("leader " + ae.from() + "@" + ae.term())) {
      say(ae.from() + " has the votes of a majority: it is the leader of term " + ae.term()
          + ", and tells the others with AppendEntries");
    }
    for (LogEntry e : ae.entries()) {
      if (e.kind() == EntryKind.NO_OP && e.term() == ae.term() && told.add("no-op " + ae.from() + "@" + ae.term())) {
        say("  as a new leader does, " + ae.from() + " first appends a no-op entry of its own term (index " + e.index()
            + "): once that commits, so does everything before it (§5.4.2)");
      }
    }
    if (ae.entries().isEmpty()) {
      if (told.add("heartbeat " + ae.from() + "@" + ae.term())) {
        say("  " + ae.from() + " sends every follower a heartbeat, an AppendEntries with no entries, every "
            + heartbeat.toMillis() + " ms, so that none of them times out (only the first ones are shown)");
      }
      if (told.add("heartbeat " + ae.from() + ">" + ae.to() + "@" + ae.term())) {
        say("  " + ae.from() + " -> " + ae.to() + ": heartbeat (term " + ae.term() + ", prevLogIndex " + ae.prevLogIndex()
            + ", prevLogTerm " + ae.prevLogTerm() + ", leaderCommit " + ae.leaderCommit() + ")");
      }
    } else if (told.add("append " + ae.from() + ">" + ae.to() + "@" + ae.term() + " " + ae.prevLogIndex() + "+"
        + ae.entries().size())) {
      sent.merge(ae.from() + ">" + ae.to() + "@" + ae.term(), ae.lastIndex(), Math::max);
      sentAfter.put(ae.from() + ">" + ae.to() + "@" + ae.term(), ae.prevLogIndex());
      tellConflict(ae);
      say("  " + ae.from() + " -> " + ae.to() + ": AppendEntries(term " + ae.term() + ", prevLogIndex "
          + ae.prevLogIndex() + ", prevLogTerm " + ae.prevLogTerm() + ", entries " + describe(ae.entries())
          + ", leaderCommit " + ae.leaderCommit() + ")");
    }
  }

  private void appendEntriesResponse(AppendEntriesResponse r) {
    String pair = r.to() + ">" + r.from() + "@" + r.term();
    if (!r.success()) {
      if (!told.add("refuse " + pair + " " + r.conflictTerm() + "/" + r.conflictIndex())) {
        return;
      }
      if (r.conflictIndex() == 0) {
        say("  " + r.from() + " refuses: the request's term is older than its own, " + r.term() + ". " + r.to()
            + " learns of term " + r.term() + " and steps down to follower (§5.1)");
      } else if (r.conflictTerm() == 0) {
        say("  " + r.from() + " refuses: its log ends before " + r.to() + "'s prevLogIndex (conflictIndex "
            + r.conflictIndex() + "); " + r.to() + " backs up and sends from there");
      } else {
        say("  " + r.from() + " refuses: its entry at prevLogIndex has another term, " + r.conflictTerm()
            + " (conflictTerm " + r.conflictTerm() + ", conflictIndex " + r.conflictIndex() + "); " + r.to()
            + " backs up past that term and sends earlier entries");
      }
      return;
    }
    // Only acknowledgements of entries told as sent are news: heartbeats are acknowledged too.
    if (r.matchIndex() > acknowledged.getOrDefault(pair, 0L) && r.matchIndex() <= sent.getOrDefault(pair, 0L)) {
      acknowledged.merge(pair, r.matchIndex(), Math::max);
      long count = r.matchIndex() - sentAfter.getOrDefault(pair, r.matchIndex() - 1);
      String what = count == 1 ? "the entry" : "the " + count + " entries";
      say("  " + r.from() + (told.remove("conflict " + pair) ? " deletes its conflicting entries, appends " + what
          : " appends " + what) + " and acknowledges " + r.to() + " (success, matchIndex " + r.matchIndex() + ")");
    }
  }

  /**
   * Tells when the receiver holds, at an index the AppendEntries carries, an entry of another
   * term: it will delete that entry and all that follow it, and append the leader's (§5.3).
   */
  private void tellConflict(AppendEntries ae) {
    List<LogEntry> held = logs.apply(ae.to());
    for (LogEntry e : ae.entries()) {
      for (LogEntry h : held) {
        if (h.index() == e.index() && h.term() != e.term()) {
          told.add("conflict " + ae.from() + ">" + ae.to() + "@" + ae.term());
          say("  " + ae.to() + " holds " + describe(List.of(h)) + " where " + ae.from() + " sends "
              + describe(List.of(e)) + ": the same index with another term is a conflict. " + ae.to()
              + " will delete that entry and all that follow it (" + describe(held.subList(held.indexOf(h), held.size()))
              + ") and append the leader's (§5.3)");
          return;
        }
      }
    }
  }

  /** Entries as {@code [2:t1 "data1", 3:t2 no-op]}. */
  static String describe(List<LogEntry> entries) {
    List<String> parts = new ArrayList<>();
    for (LogEntry e : entries) {
      parts.add(e.index() + ":t" + e.term() + " " + switch (e.kind()) {
        case COMMAND -> "\"" + e.payload().toUtf8() + "\"";
        case NO_OP -> "no-op";
        case CONFIGURATION -> "configuration";
      });
    }
    return parts.toString();
  }
}
