package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.log.Bytes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commands survive the log byte for byte; bytes that are not a command are refused clearly. */
class KvCodecTest {

  @Test
  void everyWriteRoundTrips() {
    for (KvModel.Input c : List.of(new Put("k1", "v9"), new Delete("k2"), new CompareAndSet("k0", "v1", "v2"),
        new CompareAndSet("k0", null, "v3"), new CompareAndSet("k0", "", "v4"))) {
      assertEquals(c, KvCodec.decode(KvCodec.encode(c)));
    }
  }

  @Test
  void theEnvelopeCarriesTheOperationIdAndTheCommandUntouched() {
    Bytes command = KvCodec.encode(new Put("k", "v"));
    Bytes entry = Envelope.wrap(42, command);
    assertEquals(42, Envelope.opId(entry));
    assertEquals(command, Envelope.payload(entry));
    assertEquals(Bytes.EMPTY, Envelope.payload(Envelope.wrap(Envelope.PROBE, Bytes.EMPTY)));
  }

  @Test
  void readsNeverGoThroughTheLog() {
    assertThrows(IllegalArgumentException.class, () -> KvCodec.encode(new Get("k")));
  }

  @Test
  void unknownOpcodeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KvCodec.decode(Bytes.of(new byte[] {9, 0, 1, 0, 0})));
    assertTrue(e.getMessage().startsWith("unknown opcode 9"), e.getMessage());
  }

  @Test
  void truncatedCommandIsRefused() {
    Bytes whole = KvCodec.encode(new Put("key", "value"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KvCodec.decode(Bytes.of(whole.toByteArray(), 0, whole.size() - 2)));
    assertTrue(e.getMessage().contains("bad text length") || e.getMessage().startsWith("truncated command"),
        e.getMessage());
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] whole = KvCodec.encode(new Delete("key")).toByteArray();
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvCodec.decode(Bytes.of(longer)));
    assertTrue(e.getMessage().startsWith("trailing bytes"), e.getMessage());
  }

  @Test
  void stateMachineAppliesWritesAsTheModelSays() {
    KvStateMachine kv = new KvStateMachine();
    assertEquals("OK", kv.apply(new Put("a", "1")));
    assertEquals("false", kv.apply(new CompareAndSet("a", "2", "3")));
    assertEquals("true", kv.apply(new CompareAndSet("a", "1", "3")));
    assertEquals("3", kv.get("a"));
    assertEquals("OK", kv.apply(new Delete("a")));
    assertEquals("true", kv.apply(new CompareAndSet("a", null, "4")));
    assertEquals("4", kv.get("a"));
  }

  @Test
  void stateMachineAnswersReadsWithTheValueOrEmptyWhenAbsent() {
    KvStateMachine kv = new KvStateMachine();
    kv.apply(1, KvCodec.encode(new Put("a", "1")));
    assertEquals(Bytes.ofUtf8("1"), kv.query(Bytes.ofUtf8("a")));
    assertEquals(Bytes.EMPTY, kv.query(Bytes.ofUtf8("b")));
  }

  @Test
  void snapshotRestoresTheSameState() {
    KvStateMachine kv = new KvStateMachine();
    kv.apply(new Put("b", "2"));
    kv.apply(new Put("a", "1"));
    KvStateMachine copy = KvStateMachine.restore(kv.snapshot());
    assertEquals("1", copy.get("a"));
    assertEquals("2", copy.get("b"));
    assertEquals(kv.snapshot(), copy.snapshot());
  }

  @Test
  void malformedSnapshotIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KvStateMachine.restore(Bytes.of(new byte[] {0, 0, 0, 2, 0})));
    assertTrue(e.getMessage().startsWith("malformed key-value snapshot"), e.getMessage());
  }
}
