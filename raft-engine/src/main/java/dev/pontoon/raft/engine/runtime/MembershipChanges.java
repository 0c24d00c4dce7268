package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.MembershipChangeException.Reason;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.CoreStatus;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.LogCompactedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's membership change in progress, from {@code RaftNode.changeMembership} to its
 * committed outcome. Event loop only; at most one at a time (the core allows one in flight).
 *
 * <p>A change runs in up to two phases. Every {@link MemberChange.AddVoter} first joins as a
 * learner (phase one, together with any {@link MemberChange.AddLearner}); once that is committed
 * and every node to be promoted — those added and those named by {@link MemberChange.Promote} —
 * has a match index within {@code promotionLag} entries of the leader's last index, the rest is
 * proposed (phase two: promotions, removals), as one single-voter change or through a joint
 * configuration the core leaves on its own. So a new voter never counts towards a quorum before
 * it holds the log, and adding one never makes the cluster less available (thesis §4.2.1).
 *
 * <p><b>Waiting for the core.</b> The core takes a change only from a leader that has committed
 * an entry of its own term (thesis §4.1, the fix of the single-server bug) and when no other
 * change is in flight (the latest configuration entry committed, no joint configuration still to
 * leave). Until then it refuses with {@code CHANGE_IN_PROGRESS} and appends nothing, and every
 * phase — the first, a single one, or phase two — waits here instead, tried again after every
 * loop batch and tick: a first phase until the proposal timeout, a single phase that promotes
 * and phase two until the promotion timeout. A second change asked of this node while its own
 * one is pending, and a step that does not fit the configuration, are refused at once.
 *
 * <p>The future completes with the configuration once the last phase is committed and, for a
 * joint change, the joint configuration left. It fails with {@link MembershipChangeException}
 * when refused before anything was appended — {@code CHANGE_IN_PROGRESS} also when the first
 * phase still could not be proposed at its deadline — or with {@code NOT_CAUGHT_UP} when a node
 * did not catch up within {@code promotionTimeout}. Once phase one is committed, such a failure
 * ({@code NOT_CAUGHT_UP}, or {@code CHANGE_IN_PROGRESS} for a phase two that could not be
 * proposed in time) says so: phase one stays, the exception's {@code learnersAdded} names the
 * nodes that remain learners and its {@code remainingSteps} what is left to ask for. It fails
 * with {@link NotLeaderException} on a non-leader, or when leadership is lost or a leadership
 * transfer starts before any phase was appended; with
 * {@link IndeterminateStateException} when leadership is lost, or the phase does not commit
 * within the proposal timeout, before the outcome is known, or when a transfer kept the next
 * phase from being proposed until the promotion timeout after an earlier phase committed. A joint
 * configuration whose entry is committed is no longer in doubt (thesis §4.3): the change then
 * waits for it to be left, by whichever leader, even after this node lost its leadership.
 */
final class MembershipChanges {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);

  private final NodeId id;
  private final RaftCore core;
  private final long promotionLag;
  private final long promotionTimeoutNanos;
  private final long proposalTimeoutNanos;
  private final Runnable onCompleted;
  private Pending pending;

  /** One change: its remaining steps, and the phase waiting for its commit (null while one waits to be proposed). */
  private static final class Pending {
    final CompletableFuture<ClusterConfig> future;
    /** The change as asked for, checked again before its first phase is proposed. */
    List<MemberChange> changes;
    /** Phase one (learners to add) while it waits to be proposed; null once proposed, or when there is none. */
    List<MemberChange> first;
    /** The nodes phase one adds as learners; empty when there is no phase one. */
    Set<NodeId> learners;
    /** Steps still to propose after the committed phase; empty when the proposed phase is the last. */
    List<MemberChange> rest;
    List<NodeId> toPromote;
    /** Whether a phase of this change was committed already (learners added): no failure may say nothing was. */
    boolean phaseCommitted;
    Proposal proposed;
    long deadlineNanos;
    /**
     * Why the core last refused the next phase (its term's first entry or another change not yet
     * committed, a transfer under way), or null; the answer if the deadline passes.
     */
    RaftException refusal;

    Pending(CompletableFuture<ClusterConfig> future) {
      this.future = future;
    }
  }

  /** @param onCompleted called once for each change that completes successfully (metrics) */
  MembershipChanges(NodeId id, RaftCore core, long promotionLag, long promotionTimeoutNanos,
      long proposalTimeoutNanos, Runnable onCompleted) {
    this.id = id;
    this.core = core;
    this.promotionLag = promotionLag;
    this.promotionTimeoutNanos = promotionTimeoutNanos;
    this.proposalTimeoutNanos = proposalTimeoutNanos;
    this.onCompleted = onCompleted;
  }

  /**
   * Starts {@code changes}: proposes its first phase at once if the core takes it, else keeps it
   * waiting (see {@link #check}). Completes {@code future} at once when this node is not the
   * leader or is already carrying out a change, or when a step does not fit the configuration.
   */
  void start(List<MemberChange> changes, CompletableFuture<ClusterConfig> future, long nowNanos) {
    if (pending != null) {
      // This node's own change is still running: refused at once, the caller knows what it asked for.
      future.completeExceptionally(new MembershipChangeException(Reason.CHANGE_IN_PROGRESS,
          id + " is still carrying out an earlier membership change"));
      return;
    }
    if (core.role() != Role.LEADER) {
      future.completeExceptionally(new NotLeaderException(id, core.leader()));
      return;
    }
    List<MemberChange> first = new ArrayList<>();
    List<MemberChange> rest = new ArrayList<>();
    List<NodeId> toPromote = new ArrayList<>();
    for (MemberChange c : changes) {
      if (c instanceof MemberChange.AddVoter a) {
        first.add(new MemberChange.AddLearner(a.id(), a.address()));
        rest.add(new MemberChange.Promote(a.id()));
        toPromote.add(a.id());
      } else if (c instanceof MemberChange.AddLearner) {
        first.add(c);
      } else {
        rest.add(c);
        if (c instanceof MemberChange.Promote) {
          toPromote.add(c.id());
        }
      }
    }
    try {
      // The whole change is checked first, so that a bad step refuses it before phase one.
      core.previewConfigChange(changes);
    } catch (MembershipChangeException e) {
      if (e.reason() != Reason.CHANGE_IN_PROGRESS) {
        future.completeExceptionally(e);
        return;
      }
      // The configuration is joint, not yet left: checked again once it is (see proposeNext).
    }
    Pending p = new Pending(future);
    p.changes = List.copyOf(changes);
    p.first = first.isEmpty() ? null : first;
    p.learners = first.stream().map(MemberChange::id).collect(Collectors.toCollection(TreeSet::new));
    p.rest = rest;
    p.toPromote = toPromote;
    // A first phase waits at most the proposal timeout for the core to take it; a single phase
    // that promotes waits, as phase two does, the promotion timeout (its nodes must catch up too).
    p.deadlineNanos = nowNanos + (first.isEmpty() && !toPromote.isEmpty() ? promotionTimeoutNanos : proposalTimeoutNanos);
    pending = p;
    LOG.info("{} starts membership change {}", id, changes);
    check(nowNanos);
  }

  /** After every loop batch and tick: moves the change on, or ends it. */
  void check(long nowNanos) {
    Pending p = pending;
    if (p == null) {
      return;
    }
    if (p.proposed != null) {
      if (committed(p.proposed)) {
        p.proposed = null;
        if (p.rest.isEmpty()) {
          finish(null, core.config());
          return;
        }
        p.phaseCommitted = true;
        p.deadlineNanos = nowNanos + promotionTimeoutNanos;
      } else if (jointEntryCommitted(p.proposed)) {
        // Thesis §4.3: a committed C_old,new cannot be undone; every later leader holds it and
        // leaves it for C_new on its own. The outcome is settled whoever leads now, so wait for the
        // leaving entry to commit (also as a follower) rather than report an unknown outcome.
        if (nowNanos - p.deadlineNanos >= 0) {
          finish(new IndeterminateStateException("the joint configuration at index " + p.proposed.index()
              + " is committed and is left on its own (thesis §4.3), but its leaving entry was not seen committed"
              + " within the proposal timeout"), null);
        }
        return;
      } else if (core.role() != Role.LEADER || core.term() != p.proposed.term()) {
        finish(new IndeterminateStateException(id + " lost leadership before the membership change at index "
            + p.proposed.index() + " committed; it may still commit"), null);
        return;
      } else if (nowNanos - p.deadlineNanos >= 0) {
        finish(new IndeterminateStateException("the membership change at index " + p.proposed.index()
            + " did not commit within the proposal timeout; it may still commit"), null);
        return;
      } else {
        return;
      }
    }
    if (core.role() != Role.LEADER) {
      finish(p.phaseCommitted ? new IndeterminateStateException(id + " lost leadership before proposing " + p.rest
          + "; the earlier phase (learners added) stays")
          // Nothing of this change was appended: retrying it on the leader named is safe.
          : new NotLeaderException(id, core.leader()), null);
      return;
    }
    NodeId lagging = p.first != null ? null : lagging(p.toPromote);
    if (lagging == null && proposeNext(p, nowNanos)) {
      return;
    }
    if (nowNanos - p.deadlineNanos >= 0) {
      finish(lagging != null ? afterPhaseOne(p, new MembershipChangeException(Reason.NOT_CAUGHT_UP, lagging
          + " did not come within " + promotionLag + " entries of the leader's log in time to be promoted"))
          : p.refusal, null);
    }
  }

  /**
   * Proposes the next phase of {@code p} (phase one, else the rest) if the core takes it now.
   *
   * @return whether the change needs nothing more this time: the phase was proposed, or the
   *     change ended
   */
  private boolean proposeNext(Pending p, long nowNanos) {
    List<MemberChange> next = p.first != null ? p.first : p.rest;
    try {
      if (!p.phaseCommitted) {
        // Checked again against the configuration in force now: a joint one may have been left since.
        core.previewConfigChange(p.changes);
      }
      // The core takes a change only when this leader has committed an entry of its own term
      // (thesis §4.1, the fix of the single-server bug) and no other change is in flight (the
      // latest configuration entry committed, no joint configuration to leave: one change at a
      // time, §4.1 and §4.3); else it refuses with CHANGE_IN_PROGRESS, appending nothing, and the
      // phase waits here, tried again after every loop batch and tick until its deadline.
      p.proposed = core.proposeConfigChange(next);
    } catch (MembershipChangeException e) {
      if (e.reason() != Reason.CHANGE_IN_PROGRESS) {
        // A step no longer fits the configuration in force: nothing of this phase appended.
        finish(afterPhaseOne(p, e), null);
        return true;
      }
      p.refusal = p.phaseCommitted
          ? afterPhaseOne(p, new MembershipChangeException(Reason.CHANGE_IN_PROGRESS,
              "the second phase was not proposed in time: " + e.getMessage()))
          : new MembershipChangeException(Reason.CHANGE_IN_PROGRESS,
              "not proposed in time, nothing was appended: " + e.getMessage());
      return false;
    } catch (NotLeaderException e) {
      if (!p.phaseCommitted) {
        finish(e, null); // nothing of this change was appended: retrying it on the leader named is safe
        return true;
      }
      // A leader refuses changes while it transfers its leadership (thesis §3.10), but phase one
      // is committed, so a NotLeaderException ("nothing appended, retry") would be false. Wait:
      // the transfer either ends this leadership (answered above as indeterminate) or is
      // abandoned, and the promotion goes on.
      p.refusal = new IndeterminateStateException(id + " could not propose " + p.rest + " in time: "
          + e.getMessage() + "; the earlier phase (learners added) stays");
      return false;
    }
    if (p.first != null) {
      p.first = null;
    } else {
      p.rest = List.of();
    }
    p.deadlineNanos = nowNanos + proposalTimeoutNanos;
    return true;
  }

  /**
   * Whether {@code proposal}'s change is settled: its entry is committed (still ours: same term),
   * and no later change is in flight — for a joint change, the leaving entry committed too.
   */
  private boolean committed(Proposal proposal) {
    if (core.commitIndex() < proposal.index() || core.configChangeInFlight()) {
      return false;
    }
    try {
      return core.logView().term(proposal.index()) == proposal.term();
    } catch (LogCompactedException e) {
      // Compacted behind a snapshot: committed; ours if this node still leads the term it proposed in.
      return core.role() == Role.LEADER && core.term() == proposal.term();
    }
  }

  /**
   * Whether {@code proposal} is a joint configuration whose own entry is committed (still ours:
   * same term) while leaving it is not yet: the change will complete, whoever leads (thesis §4.3).
   */
  private boolean jointEntryCommitted(Proposal proposal) {
    if (core.commitIndex() < proposal.index()) {
      return false;
    }
    try {
      return core.logView().term(proposal.index()) == proposal.term() && core.configAt(proposal.index()).isJoint();
    } catch (LogCompactedException e) {
      return false; // compacted behind a snapshot: committed() alone decides, as before
    }
  }

  /**
   * The first node to promote that has not caught up, or null: caught up means it holds the
   * configuration in force (so it has answered since it became a learner: a node that never
   * answered is not caught up however short the log) and lags the leader's last index by at most
   * the promotion lag.
   */
  private NodeId lagging(List<NodeId> toPromote) {
    if (toPromote.isEmpty()) {
      return null;
    }
    CoreStatus status = core.status();
    long configIndex = core.configIndex();
    for (NodeId node : toPromote) {
      CoreStatus.PeerProgress pr = status.progress().get(node);
      if (pr == null || pr.matchIndex() < configIndex || status.lastIndex() - pr.matchIndex() > promotionLag) {
        return node;
      }
    }
    return null;
  }

  /**
   * {@code e} as the answer of {@code p}: as is while nothing of it was appended; once phase one
   * is committed, naming the learners it added, which stay, and the steps left to ask for, so
   * that the answer does not read as a refusal before anything was appended.
   */
  private static MembershipChangeException afterPhaseOne(Pending p, MembershipChangeException e) {
    if (!p.phaseCommitted) {
      return e;
    }
    return new MembershipChangeException(e.reason(), e.getMessage() + "; phase one is committed and stays: "
        + p.learners.stream().map(n -> n + " stays a learner").collect(Collectors.joining(", "))
        + ". Ask for the rest of the change, " + p.rest + ", to complete it, or remove the learners",
        p.learners, p.rest);
  }

  private void finish(RaftException error, ClusterConfig config) {
    Pending p = pending;
    pending = null;
    if (error != null) {
      LOG.info("{}: membership change failed: {}", id, error.getMessage());
      p.future.completeExceptionally(error);
    } else {
      LOG.info("{}: membership change committed: {}", id, config);
      onCompleted.run();
      p.future.complete(config);
    }
  }

  /** Fails the change in progress, if any; once the node has stopped. */
  void failAll(RaftException error) {
    Pending p = pending;
    pending = null;
    if (p != null) {
      p.future.completeExceptionally(error);
    }
  }
}
