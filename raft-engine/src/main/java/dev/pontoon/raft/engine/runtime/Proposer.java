package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.Bytes;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's write path on the event loop: a submitted command goes to the core, which appends
 * it, and into {@link PendingProposals} until it is answered; or it waits a moment in the
 * {@link ProposalLinger} first. Held commands are always proposed before any later one, so the
 * log keeps the order in which the loop received them.
 *
 * <p><b>Failure.</b> Anything the core throws while proposing, other than its NotLeader refusal,
 * is fatal: it is rethrown and the node stops. The commands it was proposing then (the one that
 * threw, those released from the linger with it, the one that arrived) are answered here with
 * {@code NodeStoppedException} naming the cause and give back their room: being in neither the
 * linger nor {@link PendingProposals}, they are out of the stop's reach. The answer says whether
 * the command may still commit, exactly: not for one that never reached the core, nor for the one
 * the core threw on (it appends last, see {@code RaftCore.propose}), unless it threw a
 * {@link VirtualMachineError}, which may strike after the append; unknown for one the core took
 * before the runtime threw (see {@link #proposeNow}).
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
    try {
      proposeHeld();
    } catch (Throwable t) {
      failProposing(command, future, t, false); // fatal (see proposeNow): not held, never proposed either
      throw t;
    }
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

  /**
   * Fails what the linger holds, as never appended (held commands never reached the core); once
   * the node's threads have stopped.
   */
  void failHeld() {
    for (ProposalLinger.Held h : linger.release()) {
      proposals.release(h.command().size());
      h.future().completeExceptionally(runtime.stoppedBeforeAppending());
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
      List<ProposalLinger.Held> held = linger.release();
      for (int i = 0; i < held.size(); i++) {
        ProposalLinger.Held h = held.get(i);
        try {
          proposeNow(h.command(), h.future(), h.startNanos());
        } catch (Throwable t) {
          // Fatal (see proposeNow, which answered h): those after h left the linger with it, so the
          // stop's failHeld would not see them either.
          for (ProposalLinger.Held rest : held.subList(i + 1, held.size())) {
            failProposing(rest.command(), rest.future(), t, false);
          }
          throw t;
        }
      }
    }
  }

  private void proposeNow(Bytes command, CompletableFuture<Bytes> future, long startNanos) {
    if (runtime.isStopping()) {
      // The stop drains the loop's queue through here: this command never reaches the core.
      proposals.release(command.size());
      future.completeExceptionally(runtime.stoppedBeforeAppending());
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
    } catch (Throwable t) {
      // Anything else (a failing store read, a broken invariant, an Error) is fatal and stops the
      // node once rethrown (STYLE 13). This command is in neither the linger nor the pending
      // proposals, so the stop's failAll would never see it: it is answered and its room freed here.
      // The core appends last (RaftCore.propose): the log did not take it, unless the JVM failed.
      failProposing(command, future, t, t instanceof VirtualMachineError);
      throw t;
    }
    try {
      metrics.proposals.increment();
      proposals.add(new PendingProposal(p.index(), p.term(), command.size(), startNanos,
          startNanos + proposalTimeoutNanos, future));
    } catch (Throwable t) {
      // Fatal as well, but the entry is in the core's log. The throw normally stops the node before
      // the loop takes another Ready; yet when another thread's failure has begun the stop and not
      // yet marked the node stopping, this batch's Ready may still hand the entry out: unknown.
      failProposing(command, future, t, true);
      throw t;
    }
  }

  /**
   * Proposing (this command or one before it) threw {@code cause}, which stops the node: its
   * submit learns why, and whether the command may be in the log ({@code mayStillCommit}).
   */
  private void failProposing(Bytes command, CompletableFuture<Bytes> future, Throwable cause,
      boolean mayStillCommit) {
    proposals.release(command.size());
    String message = runtime.id() + " stopped after a fatal failure while proposing commands: " + cause;
    future.completeExceptionally(mayStillCommit ? new NodeStoppedException(message, cause)
        : NodeStoppedException.notAppended(message + " (this command was not appended)", cause));
  }
}
