package dev.pontoon.raft.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void equalContentMeansEqualValuesWhateverTheArray() {
    Bytes a = Bytes.of(new byte[] {1, 2, 3});
    Bytes b = Bytes.wrap(new byte[] {1, 2, 3});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Bytes.of(new byte[] {1, 2, 4}));
  }

  @Test
  void ofCopiesSoLaterChangesToTheArrayDoNotShow() {
    byte[] raw = {7, 8};
    Bytes bytes = Bytes.of(raw);
    raw[0] = 0;
    assertEquals(7, bytes.byteAt(0));
  }

  @Test
  void unwrapHandsBackTheWrappedArrayWithoutCopying() {
    byte[] data = {1, 2, 3};
    Bytes wrapped = Bytes.wrap(data);
    assertSame(data, wrapped.unwrap());
    assertEquals(wrapped, Bytes.wrap(wrapped.unwrap()));
    assertNotSame(data, Bytes.of(data).unwrap(), "of copies, so its array is not the argument");
    assertEquals(0, Bytes.EMPTY.unwrap().length);
  }

  @Test
  void toByteArrayHandsOutACopy() {
    Bytes bytes = Bytes.ofUtf8("abc");
    bytes.toByteArray()[0] = 'z';
    assertEquals("abc", bytes.toUtf8());
  }

  @Test
  void readOnlyBufferCannotChangeTheBytes() {
    Bytes bytes = Bytes.ofUtf8("abc");
    assertThrows(java.nio.ReadOnlyBufferException.class, () -> bytes.asReadOnlyByteBuffer().put((byte) 1));
  }

  @Test
  void emptyInputsShareTheEmptyInstance() {
    assertSame(Bytes.EMPTY, Bytes.of(new byte[0]));
    assertSame(Bytes.EMPTY, Bytes.wrap(new byte[0]));
  }

  @Test
  void toStringIsShortAndReadable() {
    assertEquals("5B:\"hello\"", Bytes.ofUtf8("hello").toString());
    assertEquals("2B:00ff", Bytes.of(new byte[] {0, (byte) 0xff}).toString());
    assertEquals("100B:" + "00".repeat(32) + "…", Bytes.of(new byte[100]).toString());
  }

  @Test
  void sliceCopiesTheRangeAndChecksBounds() {
    assertArrayEquals(new byte[] {2, 3}, Bytes.of(new byte[] {1, 2, 3, 4}, 1, 2).toByteArray());
    assertThrows(IndexOutOfBoundsException.class, () -> Bytes.of(new byte[] {1}, 0, 2));
  }

  @Test
  void orderIsUnsignedLexicographic() {
    Bytes small = Bytes.of(new byte[] {1});
    Bytes large = Bytes.of(new byte[] {(byte) 0x80});
    assertEquals(-1, Integer.signum(small.compareTo(large)));
  }
}
