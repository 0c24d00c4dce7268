package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static dev.pontoon.raft.engine.core.Fixtures.plain;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.pontoon.raft.Role;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftCore#status(CoreStatus)} hands back the status it is given while nothing in it
 * changed, so a runtime that publishes after every batch allocates nothing for an idle one; any
 * change, down to one follower's progress, gives a new status equal to {@link RaftCore#status()}.
 * ({@code Network} checks the same after every step of every core scenario.)
 */
class CoreStatusReuseTest {

  /** Three members, n1 elected and everything delivered. */
  private static Network threeMembersLedByN1() {
    Network net = new Network(3, plain(), 7);
    net.campaign(N1);
    net.stabilize();
    return net;
  }

  @Test
  void statusIsThePreviousObjectUntilSomethingInItChanges() {
    Network net = threeMembersLedByN1();
    RaftCore leader = net.core(N1);
    CoreStatus settled = leader.status();

    assertSame(settled, leader.status(settled));

    leader.propose(cmd("a"));
    CoreStatus proposed = leader.status(settled);
    assertAll(
        () -> assertNotSame(settled, proposed),
        () -> assertEquals(leader.status(), proposed),
        () -> assertEquals(settled.lastIndex() + 1, proposed.lastIndex()));

    net.stabilize();
    CoreStatus committed = leader.status(proposed);
    assertAll(
        () -> assertEquals(leader.status(), committed),
        () -> assertEquals(committed.lastIndex(), committed.commitIndex()),
        () -> assertEquals(committed.lastIndex(), committed.progress().get(N2).matchIndex()),
        () -> assertSame(committed, leader.status(committed)));
  }

  @Test
  void aFollowersProgressAloneMakesANewStatus() {
    RaftCore leader = threeMembersLedByN1().core(N1);
    CoreStatus before = leader.status();
    // Only the leader's view of n2 changes: a rejection walks its nextIndex back.
    leader.leaderState.progress.get(N2).nextIndex -= 1;

    CoreStatus after = leader.status(before);

    assertAll(
        () -> assertNotSame(before, after),
        () -> assertEquals(before.commitIndex(), after.commitIndex()),
        () -> assertEquals(before.progress().get(N2).nextIndex() - 1, after.progress().get(N2).nextIndex()),
        () -> assertEquals(leader.status(), after));
  }

  @Test
  void anotherNodesEqualLookingStatusIsNeverHandedBack() {
    Network net = new Network(3, plain(), 7);
    net.stabilize();
    CoreStatus ofN2 = net.core(N2).status();
    RaftCore n1 = net.core(N1);

    CoreStatus own = n1.status(ofN2);

    assertAll(
        () -> assertEquals(Role.FOLLOWER, own.role()),
        () -> assertEquals(N1, own.id()),
        () -> assertNotSame(ofN2, own));
  }
}
