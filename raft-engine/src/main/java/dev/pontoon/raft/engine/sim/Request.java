package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * What a simulated client sends to the cluster: a command, which a node submits through the log
 * ({@code RaftNode.submit}) and every replica applies with {@code StateMachine.apply}, or a read,
 * which a node answers linearizably ({@code RaftNode.read}) with {@code StateMachine.query}. The
 * bytes are the user's own encoding, passed through unchanged. Immutable.
 *
 * @param kind a command or a read
 * @param bytes the command or query, as the state machine reads it
 * @see OperationGenerator
 * @see StateMachineSimulation
 */
public record Request(Kind kind, Bytes bytes) {

  /** How a request reaches the state machine. */
  public enum Kind {
    /** Through the log: {@code submit}, then {@code apply} on every replica. */
    COMMAND,
    /** A linearizable read: {@code read}, then {@code query} on the node that answers. */
    READ
  }

  /** @throws NullPointerException if an argument is null */
  public Request {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(bytes, "bytes");
  }

  /** A command of {@code bytes}. */
  public static Request command(Bytes bytes) {
    return new Request(Kind.COMMAND, bytes);
  }

  /** A command of {@code text} in UTF-8. */
  public static Request command(String text) {
    return command(Bytes.ofUtf8(text));
  }

  /** A read of {@code bytes}. */
  public static Request read(Bytes bytes) {
    return new Request(Kind.READ, bytes);
  }

  /** A read of {@code text} in UTF-8. */
  public static Request read(String text) {
    return read(Bytes.ofUtf8(text));
  }

  /** Whether this is a read. */
  public boolean isRead() {
    return kind == Kind.READ;
  }

  /** The bytes as UTF-8 text. */
  public String text() {
    return bytes.toUtf8();
  }

  /** {@code command <text>} or {@code read <text>}, or the bytes when they are not printable text. */
  @Override
  public String toString() {
    return (kind == Kind.COMMAND ? "command " : "read ") + printable(bytes);
  }

  static String printable(Bytes bytes) {
    String text = bytes.toUtf8();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\uFFFD') {
        return bytes.toString();
      }
    }
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
