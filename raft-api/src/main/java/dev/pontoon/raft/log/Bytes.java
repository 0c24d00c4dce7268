package dev.pontoon.raft.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable sequence of bytes with content equality: the payload of log entries, commands,
 * query results and snapshots.
 *
 * <p>Records never expose a raw {@code byte[]}, because a record's {@code equals} would compare
 * arrays by identity. {@link #of(byte[])} copies its argument; {@link #wrap(byte[])} does not,
 * and is for callers that hand over an array they will never touch again (codecs, hot paths).
 * {@link #unwrap()} is its counterpart: the array itself, for code that keeps many payloads and
 * would rather not keep a wrapper object beside each (the in-memory log store).
 */
public final class Bytes implements Comparable<Bytes> {
  /** The empty sequence. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private static final int TO_STRING_LIMIT = 32;
  private final byte[] data;
  private int hash;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** A copy of {@code data}; later changes to the array do not show. */
  public static Bytes of(byte[] data) {
    Objects.requireNonNull(data, "data");
    return data.length == 0 ? EMPTY : new Bytes(data.clone());
  }

  /** A copy of {@code length} bytes of {@code data} starting at {@code offset}. */
  public static Bytes of(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(data, offset, offset + length));
  }

  /**
   * Takes ownership of {@code data} without copying. The caller must never modify the array
   * afterwards.
   */
  public static Bytes wrap(byte[] data) {
    Objects.requireNonNull(data, "data");
    return data.length == 0 ? EMPTY : new Bytes(data);
  }

  /**
   * The array behind this sequence, without copying: the counterpart of {@link #wrap(byte[])}.
   * The caller must never modify it, since every {@code Bytes} made from the same array, and every
   * log entry holding one, would change with it; use {@link #toByteArray()} for a copy to change.
   * {@code Bytes.wrap(b.unwrap())} equals {@code b}.
   */
  public byte[] unwrap() {
    return data;
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes ofUtf8(String text) {
    return wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Number of bytes. */
  public int size() {
    return data.length;
  }

  /** Whether there are no bytes. */
  public boolean isEmpty() {
    return data.length == 0;
  }

  /** The byte at {@code index}. */
  public byte byteAt(int index) {
    return data[index];
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** A read-only view, without copying. */
  public ByteBuffer asReadOnlyByteBuffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** Copies all bytes into {@code target} at {@code offset}. */
  public void copyTo(byte[] target, int offset) {
    System.arraycopy(data, 0, target, offset, data.length);
  }

  /** The bytes decoded as UTF-8 (malformed input is replaced, never thrown). */
  public String toUtf8() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes other && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0 && data.length > 0) {
      h = Arrays.hashCode(data);
      hash = h;
    }
    return h;
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(data, other.data);
  }

  /** A short form: the size and the first bytes, as text when printable, else hex. */
  @Override
  public String toString() {
    int shown = Math.min(data.length, TO_STRING_LIMIT);
    boolean printable = true;
    for (int i = 0; i < shown && printable; i++) {
      printable = data[i] >= 0x20 && data[i] < 0x7f;
    }
    StringBuilder sb = new StringBuilder().append(data.length).append("B:");
    if (printable) {
      sb.append('"').append(new String(data, 0, shown, StandardCharsets.US_ASCII)).append('"');
    } else {
      for (int i = 0; i < shown; i++) {
        sb.append(Character.forDigit((data[i] >> 4) & 0xf, 16)).append(Character.forDigit(data[i] & 0xf, 16));
      }
    }
    return data.length > shown ? sb.append("…").toString() : sb.toString();
  }
}
