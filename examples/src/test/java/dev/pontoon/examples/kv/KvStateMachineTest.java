package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.log.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {
  private final KvStateMachine kv = new KvStateMachine();
  private long index;

  private KvResult apply(KvCommand command) {
    return KvCodec.decodeResult(kv.apply(++index, KvCodec.encode(command)));
  }

  private KvResult get(String key) {
    return KvCodec.decodeResult(kv.query(KvCodec.encodeGet(b(key))));
  }

  private static Bytes b(String s) {
    return Bytes.ofUtf8(s);
  }

  @Test
  void putThenGetReturnsTheValueAndTheApplyIndex() {
    assertEquals(new KvResult.Applied(1, false), apply(new KvCommand.Put(b("k"), b("v1"))));
    assertEquals(new KvResult.Applied(2, true), apply(new KvCommand.Put(b("k"), b("v2"))));
    assertEquals(new KvResult.Value(b("v2")), get("k"));
  }

  /**
   * A peer written from the HTTP/JSON specification replicates {@code "command": "PUT foo bar"}:
   * the state machine applies that text as the write it names, not as an invalid no-op.
   */
  @Test
  void specificationTextCommandsFromAPeerAreAppliedAsTheWritesTheyName() {
    assertEquals(new KvResult.Applied(3, false), KvCodec.decodeResult(kv.apply(3, b("PUT foo bar"))));
    assertEquals(new KvResult.Applied(4, false), KvCodec.decodeResult(kv.apply(4, b("PUT baz qux"))));
    assertEquals(new KvResult.Applied(5, true), KvCodec.decodeResult(kv.apply(5, b("DELETE baz"))));
    assertEquals(new KvResult.Value(b("bar")), get("foo"));
    assertEquals(new KvResult.NotFound(), get("baz"));
  }

  @Test
  void getOfMissingKeyIsNotFound() {
    assertEquals(new KvResult.NotFound(), get("nope"));
  }

  @Test
  void deleteRemovesTheKeyAndReportsWhetherItExisted() {
    apply(new KvCommand.Put(b("k"), b("v")));
    assertEquals(new KvResult.Applied(2, true), apply(new KvCommand.Delete(b("k"))));
    assertEquals(new KvResult.Applied(3, false), apply(new KvCommand.Delete(b("k"))));
    assertEquals(new KvResult.NotFound(), get("k"));
  }

  @Test
  void compareAndSetChangesTheValueOnlyWhenTheCurrentValueMatches() {
    apply(new KvCommand.Put(b("k"), b("a")));
    assertEquals(new KvResult.Mismatch(b("a")), apply(new KvCommand.CompareAndSet(b("k"), b("x"), b("b"))));
    assertEquals(new KvResult.Value(b("a")), get("k"));
    assertEquals(new KvResult.Applied(3, true), apply(new KvCommand.CompareAndSet(b("k"), b("a"), b("b"))));
    assertEquals(new KvResult.Value(b("b")), get("k"));
  }

  @Test
  void compareAndSetOnMissingKeyIsNotFoundUnlessAbsenceWasExpected() {
    assertEquals(new KvResult.NotFound(), apply(new KvCommand.CompareAndSet(b("k"), b("x"), b("b"))));
    assertEquals(new KvResult.Applied(2, false), apply(new KvCommand.CompareAndSet(b("k"), null, b("b"))));
    assertEquals(new KvResult.Mismatch(b("b")), apply(new KvCommand.CompareAndSet(b("k"), null, b("c"))));
  }

  @Test
  void undecodableCommandIsAnInvalidResultAndChangesNothing() {
    apply(new KvCommand.Put(b("k"), b("v")));
    KvResult result = KvCodec.decodeResult(kv.apply(2, Bytes.of(new byte[] {9, 9, 9})));
    assertInstanceOf(KvResult.Invalid.class, result);
    assertEquals(1, kv.size());
    assertInstanceOf(KvResult.Invalid.class, KvCodec.decodeResult(kv.query(Bytes.of(new byte[] {1}))));
  }

  @Test
  void snapshotRestoresTheSameStateIntoAFreshMachine() throws IOException {
    apply(new KvCommand.Put(b("a"), b("1")));
    apply(new KvCommand.Put(b("b"), Bytes.of(new byte[] {0, (byte) 0xff})));
    StateMachineSnapshot snap = snapshotOf(kv);
    apply(new KvCommand.Put(b("c"), b("after the capture")));

    KvStateMachine restored = new KvStateMachine();
    restored.restoreSnapshot(new ByteArrayInputStream(snap.bytes));
    assertEquals(2, restored.size());
    assertEquals(KvCodec.encode(new KvResult.Value(b("1"))), restored.query(KvCodec.encodeGet(b("a"))));
    assertEquals(KvCodec.encode(new KvResult.NotFound()), restored.query(KvCodec.encodeGet(b("c"))));
  }

  @Test
  void malformedSnapshotIsRefusedAndKeepsTheOldState() throws IOException {
    apply(new KvCommand.Put(b("a"), b("1")));
    byte[] good = snapshotOf(kv).bytes;
    KvStateMachine target = new KvStateMachine();
    target.apply(1, KvCodec.encode(new KvCommand.Put(b("keep"), b("me"))));
    for (byte[] bad : new byte[][] {new byte[0], Arrays.copyOf(good, good.length - 1), Arrays.copyOf(good, good.length + 1),
        {0, 0, 0, 0, 0, 0, 0, 1}}) {
      assertThrows(IOException.class, () -> target.restoreSnapshot(new ByteArrayInputStream(bad)));
      assertEquals(1, target.size());
    }
  }

  private record StateMachineSnapshot(byte[] bytes) {}

  private static StateMachineSnapshot snapshotOf(KvStateMachine machine) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    machine.captureSnapshot().writeTo(out);
    return new StateMachineSnapshot(out.toByteArray());
  }
}
