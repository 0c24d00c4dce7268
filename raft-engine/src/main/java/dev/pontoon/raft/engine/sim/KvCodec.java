package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.log.Bytes;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The encoding of the simulator's key-value writes (the {@link Envelope} around it carries the
 * operation id).
 *
 * <pre>
 * +--------+----------+---------+-------------------+-------------------+
 * | opcode | key len  | key     | value len + value | expected (CAS):   |
 * | 1 byte | 2 bytes  | UTF-8   | (Put, CAS)        | flag, len, UTF-8  |
 * +--------+----------+---------+-------------------+-------------------+
 * </pre>
 */
final class KvCodec {
  private static final byte PUT = 1;
  private static final byte DELETE = 2;
  private static final byte CAS = 3;

  private KvCodec() {}

  static Bytes encode(KvModel.Input command) {
    ByteBuffer out = ByteBuffer.allocate(64 + 3 * 256);
    if (command instanceof Put p) {
      out.put(PUT);
      putText(out, p.key());
      putText(out, p.value());
    } else if (command instanceof Delete d) {
      out.put(DELETE);
      putText(out, d.key());
    } else if (command instanceof CompareAndSet c) {
      out.put(CAS);
      putText(out, c.key());
      putText(out, c.value());
      out.put((byte) (c.expected() == null ? 0 : 1));
      putText(out, c.expected() == null ? "" : c.expected());
    } else {
      throw new IllegalArgumentException("only writes go through the log: " + command);
    }
    return Bytes.of(out.array(), 0, out.position());
  }

  /**
   * Decodes {@link #encode}.
   *
   * @throws IllegalArgumentException if the bytes are not a command
   */
  static KvModel.Input decode(Bytes bytes) {
    ByteBuffer in = bytes.asReadOnlyByteBuffer();
    try {
      byte op = in.get();
      String key = getText(in);
      KvModel.Input command = switch (op) {
        case PUT -> new Put(key, getText(in));
        case DELETE -> new Delete(key);
        case CAS -> {
          String value = getText(in);
          boolean hasExpected = in.get() != 0;
          String expected = getText(in);
          yield new CompareAndSet(key, hasExpected ? expected : null, value);
        }
        default -> throw new IllegalArgumentException("unknown opcode " + op + " in " + bytes);
      };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes after command in " + bytes);
      }
      return command;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated command: " + bytes, e);
    }
  }

  private static void putText(ByteBuffer out, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (b.length > 255) {
      throw new IllegalArgumentException("text longer than 255 bytes: " + text.length() + " chars");
    }
    out.putShort((short) b.length).put(b);
  }

  private static String getText(ByteBuffer in) {
    int length = in.getShort();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("bad text length " + length);
    }
    byte[] b = new byte[length];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
