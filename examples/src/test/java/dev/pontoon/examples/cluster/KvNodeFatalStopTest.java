package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.putRetrying;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.examples.kv.KvCodec;
import dev.pontoon.examples.kv.KvCommand;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pontoon-kv node} does not outlive its Raft node: after a fatal failure it names the cause
 * on stderr, closes its HTTP API and exits with status 1, so that a supervisor restarts it. Run in
 * process through {@link PontoonKv#runNode}, which returns the status {@code main} exits with.
 */
class KvNodeFatalStopTest {
  private static final Bytes POISON = KvCodec.encode(new KvCommand.Put(Bytes.ofUtf8("boom"), Bytes.ofUtf8("now")));

  @TempDir
  Path dir;

  @Test
  void aNodeWhoseRaftServerFailsExitsWithStatusOneAndNamesTheCause() throws Exception {
    IllegalStateException bug = new IllegalStateException("apply failed on purpose");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Run run = Run.start(oneMember(), new Seams() {
      @Override
      public StateMachine stateMachine(StateMachine inner) {
        return failingOn(POISON, bug, inner);
      }
    }, err);
    assertEquals(200, putRetrying(run.base() + "/kv/a", "1").statusCode(), "the node serves before the failure");

    try {
      send(HttpJson.DIRECT, "PUT", run.base() + "/kv/boom", "now");
    } catch (UncheckedIOException closedMeanwhile) {
      // The node may close its HTTP API before it answers: it is exiting.
    }

    assertEquals(1, run.status(), "exit status after a fatal failure");
    String printed = err.toString(UTF_8);
    assertEquals(PontoonKv.fatalStopLine(NodeId.of("n1"), bug) + System.lineSeparator(), printed, "exactly one line");
    assertTrue(printed.startsWith("n1 stopped after a fatal failure: "), printed);
    assertTrue(printed.contains(bug.toString()), "the line names the cause: " + printed);
    assertThrows(UncheckedIOException.class, () -> send(HttpJson.DIRECT, "GET", run.base() + "/status", null),
        "the HTTP API is closed, not left answering errors");
  }

  /** A close of the Raft node (what the shutdown hook does on SIGTERM) is a normal stop: status 0, nothing on stderr. */
  @Test
  void aNodeClosedNormallyReturnsStatusZeroAndPrintsNothing() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Seams seams = new Seams();
    Run run = Run.start(oneMember(), seams, err);
    assertEquals(200, putRetrying(run.base() + "/kv/a", "1").statusCode());

    seams.raft.close();

    assertEquals(0, run.status(), "exit status after a close");
    assertEquals("", err.toString(UTF_8));
    assertThrows(UncheckedIOException.class, () -> send(HttpJson.DIRECT, "GET", run.base() + "/status", null),
        "what was left (the HTTP API) is closed");
  }

  /** A one-member cluster n1 on fresh loopback ports, in this test's directory. */
  private NodeOptions oneMember() {
    List<Integer> ports = FreePorts.take(2);
    String http = "127.0.0.1:" + ports.get(0);
    String raft = "127.0.0.1:" + ports.get(1);
    return NodeOptions.parse(List.of("--id", "n1", "--http", http, "--raft", raft, "--dir", dir.resolve("n1").toString(),
        "--peers", "n1=" + http + "/" + raft, "--snapshot-every", "0"));
  }

  /** {@code inner}, except that applying {@code poison} throws {@code bug}. */
  private static StateMachine failingOn(Bytes poison, RuntimeException bug, StateMachine inner) {
    return new StateMachine() {
      @Override
      public Bytes apply(long index, Bytes command) {
        if (command.equals(poison)) {
          throw bug;
        }
        return inner.apply(index, command);
      }

      @Override
      public Bytes query(Bytes query) {
        return inner.query(query);
      }

      @Override
      public SnapshotWriter captureSnapshot() {
        return inner.captureSnapshot();
      }

      @Override
      public void restoreSnapshot(InputStream snapshot) throws IOException {
        inner.restoreSnapshot(snapshot);
      }
    };
  }

  /** A seam that keeps the Raft node the HTTP API is given, so a test can close it as the shutdown hook would. */
  private static class Seams implements KvNode.Seam {
    volatile RaftNode raft;

    @Override
    public RaftNode api(RaftNode node) {
      raft = node;
      return node;
    }
  }

  /** {@code PontoonKv.runNode} on a thread of its own, as {@code main} runs it. */
  private record Run(NodeOptions options, FutureTask<Integer> task) {
    static Run start(NodeOptions options, KvNode.Seam seam, ByteArrayOutputStream err) {
      FutureTask<Integer> task = new FutureTask<>(() -> PontoonKv.runNode(options, seam, new PrintStream(err, true, UTF_8)));
      Thread thread = new Thread(task, "pontoon-kv-node-under-test");
      thread.setDaemon(true);
      thread.start();
      return new Run(options, task);
    }

    String base() {
      return "http://" + NodeSpec.hostPort(options.http());
    }

    int status() throws Exception {
      return task.get(60, TimeUnit.SECONDS);
    }
  }
}
