package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's volatile state for one term (Figure 2, "volatile state on leaders", plus the
 * bookkeeping of the thesis' optimisations). Built fresh in {@code becomeLeader}, so nothing
 * survives a step-down.
 */
final class LeaderState {
  /** Progress of every other member (voters and learners), in id order for deterministic output. */
  final Map<NodeId, Progress> progress = new TreeMap<>();
  /** The leader's own durable position: advances only once its writes are persisted. */
  long selfMatchIndex;
  /** Sequence number of the next AppendEntries; increases with each one sent in this term. */
  long nextSequence = 1;
  final ReadOnlyQueue reads = new ReadOnlyQueue();
  /** Whether an entry of this term is committed (reads must wait for it, thesis §6.4). */
  boolean committedInTerm;
  /** New entries or reads to announce in the next {@code ready()}: sends are batched until then. */
  boolean broadcastPending;
  boolean heartbeatPending;
  /** The target of a leadership transfer in progress, or null (thesis §3.10). */
  NodeId transferee;
  int transferElapsed;
  int heartbeatElapsed;

  LeaderState(long selfMatchIndex) {
    this.selfMatchIndex = selfMatchIndex;
  }
}
