package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The encodings of {@link KvCommand}s, queries and {@link KvResult}s. A command, the only one of
 * the three that enters the Raft log and travels between nodes, is its text form
 * ({@link KvCommandText}, such as {@code PUT foo bar}) in UTF-8. Queries and results stay on one
 * node and are binary:
 *
 * <pre>
 * query   := tag:u8=16 key          a Get
 * result  := tag:u8 ...             32 Applied(index:i64, existed:u8), 33 Value(value),
 *                                   34 NotFound, 35 Mismatch(current), 36 Invalid(reason as UTF-8)
 * field   := length:i32 bytes       length in [0, 2^31)
 * </pre>
 *
 * <p>Logs written before commands were text hold them in binary, which {@link #decodeCommand}
 * still reads: {@code tag:u8 field*} with tag 1 Put(key, value), 2 Delete(key), 3
 * CompareAndSet(key, to) expecting absence, 4 CompareAndSet(key, from, to). No text command
 * starts with those bytes.
 *
 * <p>Decoding never trusts its input: a wrong tag, a negative or too long length, or trailing
 * bytes give an {@link IllegalArgumentException} naming the problem. Thread-safe (stateless).
 */
public final class KvCodec {
  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  private static final byte CAS_ABSENT = 3;
  private static final byte CAS = 4;
  private static final byte GET = 16;
  private static final byte APPLIED = 32;
  private static final byte VALUE = 33;
  private static final byte NOT_FOUND = 34;
  private static final byte MISMATCH = 35;
  private static final byte INVALID = 36;

  private KvCodec() {}

  /** Encodes a command as its text form in UTF-8, such as {@code PUT foo bar}. */
  public static Bytes encode(KvCommand command) {
    return Bytes.ofUtf8(KvCommandText.format(command));
  }

  /**
   * Decodes a command: its text form, or the binary form of older logs.
   *
   * @throws IllegalArgumentException if the bytes are not a command
   */
  public static KvCommand decodeCommand(Bytes bytes) {
    if (bytes.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    byte first = bytes.byteAt(0);
    return first >= PUT && first <= CAS ? decodeBinaryCommand(bytes) : KvCommandText.parse(bytes);
  }

  /** The binary form of a command; only for tests that read logs written before commands were text. */
  static Bytes encodeBinary(KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      return write(PUT, put.key(), put.value());
    } else if (command instanceof KvCommand.Delete delete) {
      return write(DELETE, delete.key());
    }
    KvCommand.CompareAndSet cas = (KvCommand.CompareAndSet) command;
    return cas.from() == null ? write(CAS_ABSENT, cas.key(), cas.to()) : write(CAS, cas.key(), cas.from(), cas.to());
  }

  private static KvCommand decodeBinaryCommand(Bytes bytes) {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    try {
      byte tag = requireTag(in);
      KvCommand command = switch (tag) {
        case PUT -> new KvCommand.Put(field(in), field(in));
        case DELETE -> new KvCommand.Delete(field(in));
        case CAS_ABSENT -> new KvCommand.CompareAndSet(field(in), null, field(in));
        case CAS -> new KvCommand.CompareAndSet(field(in), field(in), field(in));
        default -> throw new IllegalArgumentException("unknown command tag " + tag);
      };
      requireEnd(in);
      return command;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated command", e);
    }
  }

  /** Encodes a read of {@code key}. */
  public static Bytes encodeGet(Bytes key) {
    return write(GET, key);
  }

  /**
   * Decodes a read, returning its key.
   *
   * @throws IllegalArgumentException if the bytes are not a query
   */
  public static Bytes decodeGet(Bytes bytes) {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    try {
      byte tag = requireTag(in);
      if (tag != GET) {
        throw new IllegalArgumentException("unknown query tag " + tag);
      }
      Bytes key = field(in);
      requireEnd(in);
      return key;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated query", e);
    }
  }

  /** Encodes a result. */
  public static Bytes encode(KvResult result) {
    if (result instanceof KvResult.Applied applied) {
      ByteBuffer out = ByteBuffer.allocate(10).put(APPLIED).putLong(applied.index()).put((byte) (applied.existed() ? 1 : 0));
      return Bytes.wrap(out.array());
    } else if (result instanceof KvResult.Value value) {
      return write(VALUE, value.value());
    } else if (result instanceof KvResult.NotFound) {
      return Bytes.wrap(new byte[] {NOT_FOUND});
    } else if (result instanceof KvResult.Mismatch mismatch) {
      return write(MISMATCH, mismatch.current());
    } else if (result instanceof KvResult.Invalid invalid) {
      return write(INVALID, Bytes.ofUtf8(invalid.reason()));
    }
    throw new IllegalArgumentException("unknown result " + result);
  }

  /**
   * Decodes a result.
   *
   * @throws IllegalArgumentException if the bytes are not a result
   */
  public static KvResult decodeResult(Bytes bytes) {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    try {
      byte tag = requireTag(in);
      KvResult result = switch (tag) {
        case APPLIED -> new KvResult.Applied(in.getLong(), in.get() != 0);
        case VALUE -> new KvResult.Value(field(in));
        case NOT_FOUND -> new KvResult.NotFound();
        case MISMATCH -> new KvResult.Mismatch(field(in));
        case INVALID -> new KvResult.Invalid(new String(field(in).toByteArray(), StandardCharsets.UTF_8));
        default -> throw new IllegalArgumentException("unknown result tag " + tag);
      };
      requireEnd(in);
      return result;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated result", e);
    }
  }

  private static Bytes write(byte tag, Bytes... fields) {
    int size = 1;
    for (Bytes f : fields) {
      size += 4 + f.size();
    }
    byte[] out = new byte[size];
    out[0] = tag;
    int at = 1;
    for (Bytes f : fields) {
      ByteBuffer.wrap(out, at, 4).putInt(f.size());
      f.copyTo(out, at + 4);
      at += 4 + f.size();
    }
    return Bytes.wrap(out);
  }

  private static byte requireTag(ByteBuffer in) {
    if (!in.hasRemaining()) {
      throw new IllegalArgumentException("empty input");
    }
    return in.get();
  }

  private static Bytes field(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("field length " + length + " exceeds the " + in.remaining() + " bytes left");
    }
    byte[] data = new byte[length];
    in.get(data);
    return Bytes.wrap(data);
  }

  private static void requireEnd(ByteBuffer in) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " trailing bytes");
    }
  }
}
