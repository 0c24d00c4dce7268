package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.MembershipChangeException.Reason;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A membership change the leader's core cannot take yet waits instead of being refused: a fresh
 * leader commits an entry of its own term before any change (the fix of the thesis' single-server
 * bug, §4.1), and only one change is in flight at a time (§4.1, §4.3). Deterministic: three cores
 * driven by hand, {@link MembershipChanges} checked after every step as the event loop does, and a
 * virtual clock passed in as nanoseconds.
 */
class MembershipChangesWaitTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");
  private static final NodeId N5 = NodeId.of("n5");
  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final long PROPOSAL_TIMEOUT = 10_000;
  private static final long PROMOTION_TIMEOUT = 60_000;
  private static final long TICK = 100;

  /** Cores that carry out their Readys and exchange messages in FIFO order; a cut node hears and says nothing. */
  private static final class Cores {
    final Map<NodeId, RaftCore> cores = new LinkedHashMap<>();
    final Map<NodeId, InMemoryLogStore> stores = new LinkedHashMap<>();
    final Set<NodeId> cut = new HashSet<>();
    final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    final SplittableRandom seeds = new SplittableRandom(11);
    final RaftConfig raftConfig = RaftConfig.defaults().withPreVote(false).withCheckQuorum(false);
    MembershipChanges changes;
    long now;
    /** Whether {@link #stabilize} checks the change after each step, as the event loop does after each batch. */
    boolean checking = true;

    /** A new cluster of n1-n3 bootstrapped with n1 as leader of term 1: it has committed nothing of its term yet. */
    static Cores freshlyBootstrapped() {
      Cores c = new Cores();
      for (NodeId id : THREE.voters()) {
        InMemoryLogStore store = new InMemoryLogStore();
        store.append(List.of(RaftCore.bootstrapEntry(THREE)));
        store.saveHardState(new HardState(1, N1));
        store.sync();
        c.add(id, THREE, store);
      }
      c.core(N1).bootstrapAsLeader();
      c.changes = new MembershipChanges(N1, c.core(N1), 0, PROMOTION_TIMEOUT, PROPOSAL_TIMEOUT, () -> { });
      return c;
    }

    void add(NodeId id, ClusterConfig config, InMemoryLogStore store) {
      stores.put(id, store);
      cores.put(id, new RaftCore(id, config, raftConfig, store, store.loadHardState(), 0, seeds.split()));
    }

    RaftCore core(NodeId id) {
      return cores.get(id);
    }

    /** Carries out every Ready and delivers every message until nothing is left, checking the change after each. */
    void stabilize() {
      stabilizeUnless(() -> false);
    }

    /** As {@link #stabilize}, but stops as soon as {@code stop} holds after a step. */
    void stabilizeUnless(BooleanSupplier stop) {
      for (int guard = 0; guard < 100_000; guard++) {
        if (stop.getAsBoolean()) {
          return;
        }
        boolean progress = false;
        for (NodeId id : cores.keySet()) {
          RaftCore core = cores.get(id);
          if (core.hasReady()) {
            Ready ready = core.ready();
            ready.writeLogTo(stores.get(id));
            stores.get(id).sync();
            inFlight.addAll(ready.sendNow());
            inFlight.addAll(ready.sendAfterSync());
            core.advance(ready);
            List<LogEntry> applied = ready.committedEntries();
            if (!applied.isEmpty()) {
              core.appliedTo(applied.get(applied.size() - 1).index());
            }
            progress = true;
          }
        }
        RaftMessage m = inFlight.poll();
        if (m != null) {
          RaftCore to = cores.get(m.to());
          if (to != null && !cut.contains(m.from()) && !cut.contains(m.to())) {
            to.step(m);
          }
          progress = true;
        }
        if (checking) {
          changes.check(now);
        }
        if (!progress) {
          return;
        }
      }
      throw new AssertionError("cores did not stabilize");
    }

    /** One tick of the leader n1 (heartbeats, re-sends) and of the clock; followers are not ticked: no election. */
    void tickLeader() {
      now += TICK;
      core(N1).tick();
      changes.check(now);
      stabilize();
    }

    /** Ticks the leader until {@code future} completes, at most a few hundred times. */
    void tickUntilDone(CompletableFuture<?> future) {
      for (int i = 0; i < 500 && !future.isDone(); i++) {
        tickLeader();
      }
      assertTrue(future.isDone(), "still waiting after 500 ticks");
    }
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("completed normally: " + f);
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  /**
   * A freshly elected (here: bootstrapped) leader may not propose a membership change before it
   * has committed an entry of its own term (thesis §4.1, the single-server bug fix). A change asked
   * for meanwhile waits for that commit instead of being refused, then runs: a user who bootstraps
   * a cluster and adds a voter at once gets the voter, not a spurious CHANGE_IN_PROGRESS.
   */
  @Test
  void changeOnAFreshLeaderWaitsForItsTermsFirstCommit() {
    Cores c = Cores.freshlyBootstrapped();
    c.add(N4, null, new InMemoryLogStore()); // started to join: knows no configuration yet
    c.cut.addAll(List.of(N2, N3));
    c.stabilize();
    long lastIndex = c.core(N1).logView().lastIndex();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.AddVoter(N4, "n4:7000")), future, c.now);
    c.stabilize();

    assertFalse(future.isDone(), "waits for the leader's first commit of its term: " + future);
    assertEquals(lastIndex, c.core(N1).logView().lastIndex(), "nothing appended while it waits");
    c.cut.clear();
    c.tickUntilDone(future);
    ClusterConfig result = future.join();
    assertEquals(Set.of(N1, N2, N3, N4), result.voters());
    assertEquals(result, c.core(N1).config());
  }

  /**
   * Only one membership change is in flight at a time (thesis §4.1): a single-phase change asked
   * for while an earlier one is still uncommitted waits for it to commit, then is proposed.
   */
  @Test
  void aRemovalWaitsForTheChangeInFlightBeforeIt() {
    Cores c = Cores.freshlyBootstrapped();
    c.stabilize();
    c.tickLeader(); // the bootstrap entry commits: the leader may change the configuration
    c.cut.addAll(List.of(N2, N3));
    c.core(N1).proposeConfigChange(List.of(new MemberChange.AddLearner(N5, null))); // stays uncommitted
    c.stabilize();
    assertTrue(c.core(N1).configChangeInFlight(), "premise: a change is in flight");
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.Remove(N3)), future, c.now);
    c.stabilize();

    assertFalse(future.isDone(), "waits for the change in flight: " + future);
    c.cut.clear();
    c.tickUntilDone(future);
    ClusterConfig result = future.join();
    assertEquals(Set.of(N1, N2), result.voters());
    assertEquals(Set.of(N5), result.learners());
  }

  /**
   * A joint configuration is left before the next change (thesis §4.3): a change asked for while
   * the leader is still in C<sub>old,new</sub> is checked and proposed once it has been left.
   */
  @Test
  void aChangeWaitsUntilTheJointConfigurationIsLeft() {
    Cores c = Cores.freshlyBootstrapped();
    c.stabilize();
    c.tickLeader();
    c.cut.addAll(List.of(N2, N3));
    c.core(N1).proposeConfigChange(List.of(new MemberChange.AddVoter(N4, null), new MemberChange.Remove(N3)));
    c.stabilize();
    assertTrue(c.core(N1).config().isJoint(), "premise: joint");
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.AddLearner(N5, null)), future, c.now);
    c.stabilize();

    assertFalse(future.isDone(), "waits until the joint configuration is left: " + future);
    c.cut.clear();
    c.tickUntilDone(future);
    ClusterConfig result = future.join();
    assertFalse(result.isJoint());
    assertEquals(Set.of(N1, N2, N4), result.voters());
    assertEquals(Set.of(N5), result.learners());
  }

  /**
   * The wait is bounded by the proposal timeout: if the leader still cannot propose the change by
   * then, it answers CHANGE_IN_PROGRESS, truthfully, since nothing was appended.
   */
  @Test
  void aChangeThatCannotBeProposedWithinTheProposalTimeoutIsRefusedAsInProgress() {
    Cores c = Cores.freshlyBootstrapped();
    c.cut.addAll(List.of(N2, N3)); // the bootstrap entry never commits
    c.stabilize();
    long lastIndex = c.core(N1).logView().lastIndex();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.AddLearner(N4, null)), future, c.now);
    c.changes.check(c.now + PROPOSAL_TIMEOUT - 1);
    assertFalse(future.isDone(), "still waiting just before the proposal timeout: " + future);
    c.changes.check(c.now + PROPOSAL_TIMEOUT);

    Throwable e = failure(future);
    assertEquals(Reason.CHANGE_IN_PROGRESS, assertInstanceOf(MembershipChangeException.class, e).reason());
    assertEquals(lastIndex, c.core(N1).logView().lastIndex(), "nothing appended");
    assertFalse(c.core(N1).config().contains(N4));
  }

  /**
   * A change waiting to be proposed has appended nothing, so when the node loses leadership
   * meanwhile it answers NotLeaderException, naming the new leader: retrying there is safe.
   */
  @Test
  void aWaitingChangeAnswersNotLeaderWhenLeadershipIsLost() {
    Cores c = Cores.freshlyBootstrapped();
    c.cut.add(N1);
    c.stabilize();
    long lastIndex = c.core(N1).logView().lastIndex();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.AddVoter(N4, null)), future, c.now);
    c.stabilize();
    assertFalse(future.isDone(), "premise: waiting");

    c.core(N2).campaign();
    c.stabilize();
    assertEquals(Role.LEADER, c.core(N2).role(), "premise: n2 elected by n2 and n3");
    c.cut.clear();
    c.core(N2).tick();
    c.core(N2).tick();
    c.core(N2).tick();
    c.stabilize(); // n2's heartbeat reaches n1, which steps down

    assertEquals(Role.FOLLOWER, c.core(N1).role());
    NotLeaderException e = assertInstanceOf(NotLeaderException.class, failure(future));
    assertEquals(N2, e.leaderHint().orElseThrow());
    assertEquals(lastIndex, c.core(N1).logView().entries(1, c.core(N1).logView().lastIndex() + 1, Long.MAX_VALUE)
        .stream().filter(x -> x.term() == 1).count(), "n1 appended nothing of its term 1 after the bootstrap entry");
    assertFalse(c.core(N1).config().contains(N4));
  }

  /**
   * A leader refuses changes while it transfers its leadership (thesis §3.10): a change waiting to
   * be proposed when a transfer starts has appended nothing, and answers NotLeaderException.
   */
  @Test
  void aWaitingChangeAnswersNotLeaderWhenALeadershipTransferStarts() {
    Cores c = Cores.freshlyBootstrapped();
    c.cut.addAll(List.of(N2, N3));
    c.stabilize();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.Remove(N3)), future, c.now);
    c.stabilize();
    assertFalse(future.isDone(), "premise: waiting");

    c.core(N1).transferLeadership(N2);
    c.stabilize();

    assertInstanceOf(NotLeaderException.class, failure(future));
    assertTrue(c.core(N1).config().contains(N3), "nothing appended");
  }

  /**
   * Asks {@code c}'s leader to add n4 as a voter while n4 is cut off (it never catches up), and
   * runs until the change's first phase, n4 as a learner, is committed; returns the change's future.
   */
  private static CompletableFuture<ClusterConfig> addN4UntilItsLearnerPhaseCommitted(Cores c) {
    c.add(N4, null, new InMemoryLogStore());
    c.cut.add(N4);
    c.stabilize();
    c.tickLeader();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.AddVoter(N4, "n4:7000")), future, c.now);
    c.stabilize();
    assertEquals(Set.of(N4), c.core(N1).config().learners(), "premise: phase one committed");
    assertFalse(c.core(N1).configChangeInFlight(), "premise: phase one committed");
    return future;
  }

  /**
   * A voter is added in two phases, as a learner first; when the promotion then fails, the answer
   * says that the first phase stands — the node is a learner of the configuration — and what is
   * left to ask for, instead of claiming, as a refusal does, that nothing was appended.
   */
  @Test
  void aChangeStoppedAfterItsLearnerPhaseCommittedSaysTheLearnersStay() {
    Cores c = Cores.freshlyBootstrapped();
    CompletableFuture<ClusterConfig> future = addN4UntilItsLearnerPhaseCommitted(c);

    c.changes.check(c.now + PROMOTION_TIMEOUT);

    MembershipChangeException e = assertInstanceOf(MembershipChangeException.class, failure(future));
    assertEquals(Reason.NOT_CAUGHT_UP, e.reason());
    assertTrue(e.getMessage().contains("n4 stays a learner"), e.getMessage());
    assertEquals(Set.of(N4), e.learnersAdded());
    assertEquals(List.of(new MemberChange.Promote(N4)), e.remainingSteps());
    assertEquals(Set.of(N4), c.core(N1).config().learners());
    CompletableFuture<ClusterConfig> again = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.AddVoter(N4, "n4:7000")), again, c.now);
    assertEquals(Reason.INVALID_CHANGE, assertInstanceOf(MembershipChangeException.class, failure(again)).reason());
    c.cut.clear();
    CompletableFuture<ClusterConfig> rest = new CompletableFuture<>();
    c.changes.start(e.remainingSteps(), rest, c.now);
    c.tickUntilDone(rest);
    assertEquals(Set.of(N1, N2, N3, N4), rest.join().voters(), "the remaining steps complete the change");
  }

  /**
   * The other way a change can stop after its learner phase committed: phase two waits for the
   * leader's first commit of a new term and cannot be proposed by the promotion timeout. The
   * answer, CHANGE_IN_PROGRESS, then names the learners that stay and the steps left, as for
   * NOT_CAUGHT_UP. (The event loop checks the change after every batch and tick, so it sees a
   * loss of leadership before any regain and answers IndeterminateStateException; here n1 loses
   * and regains leadership between two checks, the state this answer is for.)
   */
  @Test
  void aPhaseTwoNotProposedInTimeAfterTheLearnerPhaseSaysTheLearnersStay() {
    Cores c = Cores.freshlyBootstrapped();
    CompletableFuture<ClusterConfig> future = addN4UntilItsLearnerPhaseCommitted(c);
    c.checking = false;
    c.core(N2).campaign();
    c.stabilize(); // n1 votes for n2 and follows it
    c.core(N1).campaign();
    c.stabilizeUnless(() -> c.core(N1).role() == Role.LEADER);
    c.cut.addAll(List.of(N2, N3)); // n1 leads again, but no entry of its new term commits
    c.stabilize();
    assertEquals(Role.LEADER, c.core(N1).role(), "premise: n1 leads again, at term " + c.core(N1).term());
    c.checking = true;
    c.cut.removeAll(List.of(N4)); // n4 catches up: phase two waits only for the leader's first commit of its term
    for (int i = 0; i < 10; i++) {
      c.tickLeader();
    }
    assertFalse(future.isDone(), "premise: phase two waits: " + future);

    c.changes.check(c.now + PROMOTION_TIMEOUT);

    MembershipChangeException e = assertInstanceOf(MembershipChangeException.class, failure(future));
    assertEquals(Reason.CHANGE_IN_PROGRESS, e.reason());
    assertTrue(e.getMessage().contains("n4 stays a learner"), e.getMessage());
    assertEquals(Set.of(N4), e.learnersAdded());
    assertEquals(List.of(new MemberChange.Promote(N4)), e.remainingSteps());
    assertEquals(Set.of(N4), c.core(N1).config().learners());
  }

  /** This node runs one change at a time: a second one, while its first waits, is refused at once. */
  @Test
  void aSecondChangeWhileTheFirstWaitsIsRefusedAtOnce() {
    Cores c = Cores.freshlyBootstrapped();
    c.cut.addAll(List.of(N2, N3));
    c.stabilize();
    CompletableFuture<ClusterConfig> first = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.AddLearner(N4, null)), first, c.now);
    CompletableFuture<ClusterConfig> second = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.AddLearner(N5, null)), second, c.now);

    assertEquals(Reason.CHANGE_IN_PROGRESS,
        assertInstanceOf(MembershipChangeException.class, failure(second)).reason());
    assertFalse(first.isDone());
  }

  /** A step that does not fit the configuration is refused at once, even while the leader could not propose anyway. */
  @Test
  void aBadStepIsRefusedAtOnceOnAFreshLeader() {
    Cores c = Cores.freshlyBootstrapped();
    c.cut.addAll(List.of(N2, N3));
    c.stabilize();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();

    c.changes.start(List.of(new MemberChange.Remove(N5)), future, c.now);

    assertEquals(Reason.UNKNOWN_MEMBER, assertInstanceOf(MembershipChangeException.class, failure(future)).reason());
  }

  /**
   * Thesis §4.3: once the joint configuration C<sub>old,new</sub> is committed, the change can no
   * longer be undone: every later leader holds it and leaves it for C<sub>new</sub> on its own. So
   * a leader that loses its leadership after its joint entry committed, with only the leaving entry
   * outstanding, knows the outcome: its change goes on waiting (here as a follower) and completes
   * with C<sub>new</sub> once the next leader has left the joint configuration, instead of failing
   * with IndeterminateStateException as if the change might never commit.
   */
  @Test
  void aJointChangeWhoseJointEntryCommittedCompletesAfterLeadershipIsLost() {
    Cores c = Cores.freshlyBootstrapped();
    c.stabilize();
    c.tickLeader();
    c.add(N4, null, new InMemoryLogStore());
    c.core(N1).proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null)));
    c.stabilize();
    c.tickLeader();
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
    c.changes.start(List.of(new MemberChange.Promote(N4), new MemberChange.Remove(N3)), future, c.now);
    // Up to the moment the joint entry is committed and n1 has appended the leaving entry.
    c.stabilizeUnless(() -> !c.core(N1).config().isJoint() && c.core(N1).configChangeInFlight());
    long jointIndex = c.core(N1).configIndex() - 1;
    assertTrue(c.core(N1).configAt(jointIndex).isJoint() && c.core(N1).commitIndex() >= jointIndex,
        "premise: the joint entry is committed, the leaving one is not");
    c.cut.addAll(List.of(N2, N3, N4));
    c.stabilize();

    // n1 hears of a later term and steps down before its leaving entry commits.
    c.core(N1).step(new RequestVoteResponse(N2, N1, c.core(N1).term() + 1, false, false));
    c.changes.check(c.now);
    assertEquals(Role.FOLLOWER, c.core(N1).role());
    assertFalse(future.isDone(), "the joint entry is committed: the change completes whoever leads: " + future);
    c.cut.clear();
    c.core(N2).campaign();
    c.stabilize();

    assertEquals(Role.LEADER, c.core(N2).role(), "premise: n2 leads and leaves the joint configuration");
    for (int i = 0; i < 5 && !future.isDone(); i++) {
      c.core(N2).tick(); // heartbeats tell n1 that the leaving entry is committed
      c.stabilize();
    }
    assertTrue(future.isDone(), "still waiting: " + future);
    ClusterConfig result = future.join();
    assertFalse(result.isJoint());
    assertEquals(Set.of(N1, N2, N4), result.voters());
  }
}
