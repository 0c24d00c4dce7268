package dev.pontoon.raft.engine.sim.publicapi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.engine.sim.Request;
import dev.pontoon.raft.engine.sim.StateMachineSimulation;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.*;
import org.junit.jupiter.api.Test;

class AccountSimulationTest {
  /** Your state machine: a bank account. "5" deposits 5; "-3" withdraws 3 unless the balance is short. */
  static class Account implements StateMachine {
    long balance;
    public Bytes apply(long index, Bytes command) {
      long after = balance + Long.parseLong(command.toUtf8());
      if (after >= 0) balance = after;
      return Bytes.ofUtf8(after < 0 ? "refused" : "" + balance);
    }
    public Bytes query(Bytes query) { return Bytes.ofUtf8("" + balance); }
    public SnapshotWriter captureSnapshot() { long b = balance; return out -> new DataOutputStream(out).writeLong(b); }
    public void restoreSnapshot(InputStream in) throws IOException { balance = new DataInputStream(in).readLong(); }
  }

  /** The specification: what one correct account answers, one operation at a time. */
  static final Model<Long, Request, Bytes> SPEC = Model.deterministic(0L, (balance, request) -> {
    long after = request.isRead() ? balance : balance + Long.parseLong(request.text());
    return after < 0 ? Model.outcome(balance, Bytes.ofUtf8("refused")) : Model.outcome(after, Bytes.ofUtf8("" + after));
  });

  @Test
  void accountStaysLinearizableThroughCrashesPartitionsAndSnapshots() {
    var report = StateMachineSimulation.builder().stateMachine(Account::new).model(SPEC).seeds(100)
        .operations((random, client) -> random.nextInt(3) == 0 ? Request.read("balance")
            : Request.command(Integer.toString(random.nextInt(-5, 6)))).build().run();
    assertTrue(report.ok(), report::describe);
  }
}
