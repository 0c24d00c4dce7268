package dev.pontoon.raft.engine.core.interaction;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.ReadState;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** The nodes, stores and in-flight messages of one script, and how they print. */
final class InteractionEnv {

  final Map<NodeId, RaftCore> cores = new LinkedHashMap<>();
  final Map<NodeId, InMemoryLogStore> stores = new LinkedHashMap<>();
  final Set<NodeId> down = new HashSet<>();
  final List<RaftMessage> messages = new ArrayList<>();
  final Set<List<NodeId>> cut = new HashSet<>();
  ClusterConfig config;
  RaftConfig raftConfig;

  static NodeId id(String text) {
    return NodeId.of(text.startsWith("n") ? text : "n" + text);
  }

  RaftCore core(String text) {
    RaftCore core = cores.get(id(text));
    if (core == null) {
      throw new IllegalArgumentException("no node " + text);
    }
    return core;
  }

  void start(NodeId id) {
    InMemoryLogStore store = stores.get(id);
    cores.put(id, new RaftCore(id, config, raftConfig, store, store.loadHardState(), 0,
        new SplittableRandom(id.hashCode())));
    down.remove(id);
  }

  /** Persists one Ready (write, sync) and queues its messages, printing it; returns false if none. */
  boolean processReady(NodeId id, StringBuilder out) {
    RaftCore core = cores.get(id);
    if (down.contains(id) || !core.hasReady()) {
      return false;
    }
    Ready ready = core.ready();
    InMemoryLogStore store = stores.get(id);
    ready.writeLogTo(store);
    store.sync();
    messages.addAll(ready.sendNow());
    messages.addAll(ready.sendAfterSync());
    core.advance(ready);
    reportApplied(core, ready);
    printReady(id, ready, out);
    return true;
  }

  /** The scripts' state machines apply at once: report each Ready's committed entries (and snapshot) applied. */
  private static void reportApplied(RaftCore core, Ready ready) {
    if (ready.snapshotToInstall() != null) {
      core.appliedTo(ready.snapshotToInstall().meta().lastIncludedIndex());
    }
    if (!ready.committedEntries().isEmpty()) {
      core.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
    }
  }

  private static void printReady(NodeId id, Ready ready, StringBuilder out) {
    out.append("> ").append(id).append(" handling Ready\n");
    if (ready.hardState() != null) {
      out.append("  HardState term=").append(ready.hardState().currentTerm()).append(" vote=")
          .append(ready.hardState().votedFor() == null ? "none" : ready.hardState().votedFor())
          .append(" commit=").append(ready.hardState().commitIndex())
          // A commit index that alone changed is written without a sync of its own.
          .append(ready.mustSync() ? "" : " (no sync)").append('\n');
    }
    if (ready.snapshotToInstall() != null) {
      var meta = ready.snapshotToInstall().meta();
      out.append("  Snapshot: ").append(meta.lastIncludedIndex()).append('/').append(meta.lastIncludedTerm())
          .append('\n');
    }
    if (!ready.entriesToAppend().isEmpty()) {
      out.append("  Entries: ").append(entries(ready.entriesToAppend())).append('\n');
    }
    if (!ready.committedEntries().isEmpty()) {
      out.append("  Committed: ").append(entries(ready.committedEntries())).append('\n');
    }
    printMessages("SendNow", ready.sendNow(), out);
    printMessages("SendAfterSync", ready.sendAfterSync(), out);
    if (!ready.readsReady().isEmpty()) {
      out.append("  ReadsReady: ").append(ready.readsReady().stream()
          .map(r -> r.requestId() + "@" + r.readIndex()).collect(Collectors.joining(", "))).append('\n');
    }
    if (!ready.readsAborted().isEmpty()) {
      out.append("  ReadsAborted: ").append(ready.readsAborted()).append('\n');
    }
  }

  private static void printMessages(String title, List<RaftMessage> list, StringBuilder out) {
    if (!list.isEmpty()) {
      out.append("  ").append(title).append(":\n");
      list.forEach(m -> out.append("    ").append(format(m)).append('\n'));
    }
  }

  /** Delivers the queued messages addressed to {@code targets} (all when empty); returns whether any. */
  boolean deliver(Set<NodeId> targets, StringBuilder out) {
    List<RaftMessage> batch = take(targets);
    for (RaftMessage m : batch) {
      if (down.contains(m.to()) || cut.contains(List.of(m.from(), m.to()))) {
        out.append("dropped ").append(format(m)).append('\n');
        continue;
      }
      out.append("deliver ").append(format(m)).append('\n');
      cores.get(m.to()).step(m);
    }
    return !batch.isEmpty();
  }

  List<RaftMessage> take(Set<NodeId> targets) {
    List<RaftMessage> batch = new ArrayList<>();
    messages.removeIf(m -> {
      boolean hit = targets.isEmpty() || targets.contains(m.to());
      if (hit) {
        batch.add(m);
      }
      return hit;
    });
    return batch;
  }

  static String entries(List<LogEntry> entries) {
    return entries.stream().map(InteractionEnv::entry).collect(Collectors.joining(", "));
  }

  static String entry(LogEntry e) {
    String body = e.kind() == EntryKind.COMMAND ? "\"" + e.payload().toUtf8() + "\"" : e.kind().name();
    return e.index() + "/" + e.term() + " " + body;
  }

  static String format(RaftMessage m) {
    String head = m.from() + "->" + m.to() + " ";
    if (m instanceof RequestVote rv) {
      return head + "RequestVote term=" + rv.term() + " last=" + rv.lastLogIndex() + "/" + rv.lastLogTerm()
          + (rv.preVote() ? " pre-vote" : "") + (rv.leadershipTransfer() ? " transfer" : "");
    } else if (m instanceof RequestVoteResponse r) {
      return head + "RequestVoteResponse term=" + r.term() + (r.voteGranted() ? " granted" : " rejected")
          + (r.preVote() ? " pre-vote" : "");
    } else if (m instanceof AppendEntries ae) {
      return head + "AppendEntries term=" + ae.term() + " prev=" + ae.prevLogIndex() + "/" + ae.prevLogTerm()
          + " commit=" + ae.leaderCommit() + " seq=" + ae.sequence() + " [" + entries(ae.entries()) + "]";
    } else if (m instanceof AppendEntriesResponse r) {
      return head + "AppendEntriesResponse term=" + r.term() + (r.success() ? " success match=" + r.matchIndex()
          : " reject hint=" + r.conflictIndex() + "/" + r.conflictTerm()) + " seq=" + r.sequence();
    } else if (m instanceof InstallSnapshot s) {
      return head + "InstallSnapshot term=" + s.term() + " last=" + s.lastIncludedIndex() + "/" + s.lastIncludedTerm();
    } else if (m instanceof InstallSnapshotResponse r) {
      return head + "InstallSnapshotResponse term=" + r.term() + " last=" + r.lastIncludedIndex()
          + (r.success() ? " success" : " rejected");
    } else if (m instanceof TimeoutNow) {
      return head + "TimeoutNow term=" + m.term();
    }
    throw new IllegalArgumentException("unknown message " + m);
  }

  static String readState(ReadState r) {
    return r.requestId() + "@" + r.readIndex();
  }
}
