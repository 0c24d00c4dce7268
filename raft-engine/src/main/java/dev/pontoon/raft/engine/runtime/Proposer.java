package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's write path on the event loop: a submitted command goes to the core, which appends
 * it, and into {@link PendingProposals} until it is answered; or it waits a moment in the
 * {@link ProposalLinger} first. Held commands are always proposed before any later one, so the
 * log keeps the order in which the loop received them.
 *
 * <p><b>Threading.</b> Event loop only; the linger's timer only queues a task to the loop.
 */
final class Proposer {

  private final NodeRuntime runtime;
  private final RaftCore core;
  private final PendingProposals proposals;
  private final NodeMetrics metrics;
  private final NodeScheduler scheduler;
  private final long proposalTimeoutNanos;
  private final ProposalLinger linger;

  Proposer(NodeRuntime runtime, RaftCore core, PendingProposals proposals, NodeMetrics metrics,
      NodeScheduler scheduler, long proposalTimeoutNanos, ProposalLinger linger) {
    this.runtime = runtime;
    this.core = core;
    this.proposals = proposals;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.proposalTimeoutNanos = proposalTimeoutNanos;
    this.linger = linger;
  }

  /** A client's command, whose room is reserved in {@link PendingProposals}: proposed now, or held. */
  void propose(Bytes command, CompletableFuture<Bytes> future, long startNanos) {
    if (linger.lingerNanos() > 0 && held(command, future, startNanos)) {
      return;
    }
    proposeHeld();
    proposeNow(command, future, startNanos);
  }

  /** Before the loop asks the core for its Ready: notes answers, and refuses what a lost leadership holds. */
  void beforeReady() {
    if (linger.lingerNanos() > 0) {
      linger.answered(proposals.takeAnswered(), scheduler.nanoTime());
      if (linger.isHolding() && core.role() != Role.LEADER) {
        proposeHeld(); // refused at once (NotLeaderException), rather than after the linger
      }
    }
  }

  /** Fails what the linger holds; once the node's threads have stopped. */
  void failHeld(RaftException error) {
    for (ProposalLinger.Held h : linger.release()) {
      proposals.release(h.command().size());
      h.future().completeExceptionally(error);
    }
  }

  /** Whether the linger holds this command (proposing what it held once the hold is complete). */
  private boolean held(Bytes command, CompletableFuture<Bytes> future, long startNanos) {
    long now = scheduler.nanoTime();
    linger.answered(proposals.takeAnswered(), now);
    if (runtime.isStopping() || core.role() != Role.LEADER
        || !linger.hold(new ProposalLinger.Held(command, future, startNanos), now)) {
      return false;
    }
    if (linger.complete()) {
      proposeHeld();
    } else if (linger.began()) {
      long hold = linger.currentHold();
      scheduler.runLater(linger.lingerNanos(), () -> runtime.onLoop(() -> lingerEnded(hold)));
    }
    return true;
  }

  /** The linger of hold {@code hold} is over: propose what it still holds. */
  private void lingerEnded(long hold) {
    if (linger.currentHold() == hold) {
      proposeHeld();
    }
  }

  /** Proposes what the linger holds, in arrival order, before anything proposed after it. */
  private void proposeHeld() {
    if (linger.isHolding()) {
      for (ProposalLinger.Held h : linger.release()) {
        proposeNow(h.command(), h.future(), h.startNanos());
      }
    }
  }

  private void proposeNow(Bytes command, CompletableFuture<Bytes> future, long startNanos) {
    if (runtime.isStopping()) {
      proposals.release(command.size());
      future.completeExceptionally(runtime.stoppedException());
      return;
    }
    Proposal p;
    try {
      p = core.propose(command);
    } catch (NotLeaderException e) {
      // The core's refusal carries the best hint: the leader, or the target of a transfer under way.
      proposals.release(command.size());
      metrics.rejected("not_leader");
      future.completeExceptionally(e);
      return;
    }
    metrics.proposals.increment();
    proposals.add(new PendingProposal(p.index(), p.term(), command.size(), startNanos,
        startNanos + proposalTimeoutNanos, future));
  }
}
