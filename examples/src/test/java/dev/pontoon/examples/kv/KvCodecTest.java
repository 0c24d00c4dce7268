package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.log.Bytes;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvCodecTest {
  private static Bytes b(String s) {
    return Bytes.ofUtf8(s);
  }

  private static final List<KvCommand> COMMANDS = List.of(new KvCommand.Put(b("k"), b("v")),
      new KvCommand.Put(b("two words"), Bytes.of(new byte[] {0, (byte) 0xff, '%'})), new KvCommand.Delete(b("k")),
      new KvCommand.CompareAndSet(b("k"), b("a"), b("b")), new KvCommand.CompareAndSet(b("k"), null, b("b")));

  @Test
  void everyCommandRoundTripsThroughItsTextForm() {
    for (KvCommand c : COMMANDS) {
      assertEquals(c, KvCodec.decodeCommand(KvCodec.encode(c)));
      assertEquals(KvCommandText.format(c), KvCodec.encode(c).toUtf8(), "the log holds the text form");
    }
    assertEquals("PUT foo bar", KvCodec.encode(new KvCommand.Put(b("foo"), b("bar"))).toUtf8());
  }

  /** Logs written before commands were text still apply after an upgrade. */
  @Test
  void binaryCommandsOfOlderLogsStillDecode() {
    for (KvCommand c : COMMANDS) {
      assertEquals(c, KvCodec.decodeCommand(KvCodec.encodeBinary(c)));
    }
  }

  @Test
  void everyResultRoundTrips() {
    for (KvResult r : List.of(new KvResult.Applied(42, true), new KvResult.Value(b("v")), new KvResult.NotFound(),
        new KvResult.Mismatch(b("cur")), new KvResult.Invalid("bad ünïcode"))) {
      assertEquals(r, KvCodec.decodeResult(KvCodec.encode(r)));
    }
    assertEquals(b("key"), KvCodec.decodeGet(KvCodec.encodeGet(b("key"))));
  }

  @Test
  void truncatedUnknownOrTrailingInputIsRefusedWithIllegalArgument() {
    Bytes put = KvCodec.encodeBinary(new KvCommand.Put(b("key"), b("value")));
    byte[] raw = put.toByteArray();
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.EMPTY));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.of(raw, 0, raw.length - 1)));
    byte[] longer = java.util.Arrays.copyOf(raw, raw.length + 1);
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.wrap(longer)));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.of(new byte[] {99})));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.of(new byte[] {1, -1, -1, -1, -1})));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.of(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0})),
        "an empty key");
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(b("PUT foo")));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeCommand(Bytes.of(new byte[] {'P', 'U', 'T', ' ', (byte) 0xc3})));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeGet(put));
    assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeResult(put));
  }

  @Test
  void randomBytesEitherDecodeOrFailWithIllegalArgument() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] data = new byte[random.nextInt(24)];
      for (int j = 0; j < data.length; j++) {
        data[j] = (byte) (random.nextInt(6) == 0 ? random.nextInt(5) : random.nextInt(256));
      }
      Bytes input = Bytes.wrap(data);
      try {
        KvCodec.decodeCommand(input);
      } catch (IllegalArgumentException expected) {
        // refusing is the contract for bad input
      }
      try {
        KvCodec.decodeResult(input);
      } catch (IllegalArgumentException expected) {
        // idem
      }
    }
  }
}
