package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.Role;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election (§5.2, §5.4.1) with PreVote (thesis §9.6), leader stickiness (thesis §4.2.3)
 * and TimeoutNow-triggered campaigns (thesis §3.10).
 */
final class Elections {

  private static final Logger LOG = LoggerFactory.getLogger(Elections.class);
  private final RaftCore core;

  Elections(RaftCore core) {
    this.core = core;
  }

  /**
   * Followers and candidates: start an election when no leader was heard within the timeout
   * (§5.2). A node that may not campaign (a learner, a node outside the configuration) lets the
   * time since it heard from a leader grow instead, so that its lease expires (see
   * {@code RaftCore.inLease}) and it grants the (pre-)votes a new leader needs.
   */
  void tick() {
    if (core.electionElapsed < Integer.MAX_VALUE) {
      core.electionElapsed++;
    }
    if (core.electionElapsed >= core.randomizedElectionTimeout && mayCampaign()) {
      core.electionElapsed = 0;
      campaign(false);
    }
  }

  private boolean mayCampaign() {
    return core.quorum.contains(core.id) || core.removedByUncommittedConfig();
  }

  /**
   * Handles the arrival of a message with a term above ours. Returns whether to go on and
   * dispatch it.
   */
  boolean stepHigherTerm(RaftMessage m) {
    if (m instanceof RequestVote rv) {
      if (!rv.preVote() && !rv.leadershipTransfer() && core.raftConfig.checkQuorum() && core.inLease()) {
        // Thesis §4.2.3: a server that heard from a current leader within the minimum election
        // timeout neither updates its term nor grants its vote; a transfer request bypasses this.
        LOG.debug("{} ignores vote request of {} at term {}: leader {} is alive", core.id, rv.from(), rv.term(),
            core.leader());
        return false;
      }
      if (rv.preVote()) {
        // Thesis §9.6: a pre-vote request never changes the voter's term.
        return true;
      }
      core.becomeFollower(rv.term(), null);
      return true;
    }
    if (m instanceof RequestVoteResponse r && r.preVote() && r.voteGranted()) {
      // A granted pre-vote carries the term the pre-candidate would campaign in; not a newer term.
      return true;
    }
    // §5.1: a higher term seen in any message makes this node a follower of that term.
    boolean fromLeader = m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof TimeoutNow;
    core.becomeFollower(m.term(), fromLeader ? m.from() : null);
    return true;
  }

  /**
   * Starts a (pre-)election now, unless this node is not a voter — except a node that the latest
   * configuration in its log removed while that entry may not be committed yet (see
   * {@link RaftCore#removedByUncommittedConfig()}).
   */
  void campaign(boolean leadershipTransfer) {
    if (!mayCampaign()) {
      LOG.debug("{} is not a voter and does not campaign", core.id);
      return;
    }
    if (core.raftConfig.preVote() && !leadershipTransfer) {
      core.becomePreCandidate();
      requestVotes(true, false);
    } else {
      core.becomeCandidate();
      requestVotes(false, leadershipTransfer);
    }
  }

  private void requestVotes(boolean preVote, boolean leadershipTransfer) {
    core.candidateState.record(core.id, true);
    if (countVotes()) {
      return;
    }
    long term = preVote ? core.term + 1 : core.term;
    long lastIndex = core.log.lastIndex();
    long lastTerm = core.log.lastTerm();
    for (var voter : core.quorum.voters()) {
      if (voter.equals(core.id)) {
        continue;
      }
      RequestVote rv = new RequestVote(core.id, voter, term, lastIndex, lastTerm, preVote, leadershipTransfer);
      if (preVote) {
        core.sendNow(rv); // changes no persistent state
      } else {
        core.sendAfterSync(rv); // the new term and self-vote must be durable first (Figure 2)
      }
    }
  }

  /** Acts on the tally; returns whether the (pre-)election is decided. */
  private boolean countVotes() {
    VoteResult result = core.candidateState.result(core.quorum);
    if (result == VoteResult.PENDING) {
      return false;
    }
    boolean preVote = core.candidateState.preVote;
    if (result == VoteResult.LOST) {
      core.becomeFollower(core.term, null);
    } else if (preVote) {
      core.becomeCandidate();
      requestVotes(false, false);
    } else {
      core.becomeLeader(true);
    }
    return true;
  }

  /** Figure 2, RequestVote receiver; the term was already reconciled by {@code step}. */
  void handleRequestVote(RequestVote rv) {
    // Grant at most one vote per term, first come first served (§5.2); a pre-vote for a later
    // term binds nothing, so it may be granted to anyone.
    boolean canVote = rv.from().equals(core.votedFor)
        || (core.votedFor == null && core.leader() == null)
        || (rv.preVote() && rv.term() > core.term);
    // Thesis §9.6 with §4.2.3: refuse a pre-vote while a leader is known to be alive.
    boolean stickyLeader = rv.preVote() && !rv.leadershipTransfer() && core.inLease();
    // §4.2.3 for a vote of this very term, which stepHigherTerm never sees: a stale reply may have
    // raised the term (no leader known) within the lease of the leader last heard, and that
    // leader may still serve reads on it (§6.4.1). A vote already given is repeated.
    boolean leaseHeld = !rv.preVote() && !rv.leadershipTransfer() && core.raftConfig.checkQuorum() && core.inLease()
        && !rv.from().equals(core.votedFor);
    // §5.4.1: only to a candidate whose log is at least as up to date as ours.
    boolean upToDate = core.log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
    boolean grant = canVote && !stickyLeader && !leaseHeld && upToDate;
    if (grant && !rv.preVote()) {
      core.votedFor = rv.from();
      core.electionElapsed = 0;
    }
    long term = grant && rv.preVote() ? rv.term() : core.term;
    // A grant promises a durable vote: it may leave only after the hard state is synced.
    core.sendAfterSync(new RequestVoteResponse(core.id, rv.from(), term, grant, rv.preVote()));
    LOG.debug("{} {} {}vote of {} at term {}", core.id, grant ? "grants" : "rejects", rv.preVote() ? "pre-" : "",
        rv.from(), rv.term());
  }

  void handleRequestVoteResponse(RequestVoteResponse r) {
    Role role = core.role();
    if (role == Role.PRE_CANDIDATE && r.preVote()) {
      // A grant must be for the term we would campaign in; a rejection carries the voter's term.
      if (r.voteGranted() && r.term() != core.term + 1) {
        return;
      }
    } else if (role != Role.CANDIDATE || r.preVote()) {
      return;
    }
    core.candidateState.record(r.from(), r.voteGranted());
    countVotes();
  }

  /** Thesis §3.10: the leader asks us to campaign at once, bypassing PreVote and stickiness. */
  void handleTimeoutNow(TimeoutNow t) {
    if (core.role() == Role.LEADER) {
      return;
    }
    LOG.debug("{} campaigns at the request of {} (leadership transfer)", core.id, t.from());
    campaign(true);
  }
}
