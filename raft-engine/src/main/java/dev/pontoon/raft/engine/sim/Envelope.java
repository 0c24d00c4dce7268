package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.log.Bytes;
import java.nio.ByteBuffer;

/**
 * How the simulator frames a client's command in the log: the id of the client operation (so
 * that the simulator can tell which operation an applied entry carries, and settle writes whose
 * client never learned their outcome), then the state machine's own bytes, untouched.
 *
 * <pre>
 * +--------------------+------------------------------+
 * | opId (8, big-end.) | the command, as the client   |
 * | -2: liveness probe | sent it                      |
 * +--------------------+------------------------------+
 * </pre>
 */
final class Envelope {
  /** The operation id of the simulator's own liveness probe, which never reaches the state machine. */
  static final long PROBE = -2;

  private Envelope() {}

  static Bytes wrap(long opId, Bytes command) {
    byte[] out = new byte[8 + command.size()];
    ByteBuffer.wrap(out).putLong(opId);
    command.copyTo(out, 8);
    return Bytes.wrap(out);
  }

  /**
   * The operation id of an entry {@link #wrap} framed.
   *
   * @throws IllegalArgumentException if the entry is shorter than its frame
   */
  static long opId(Bytes entry) {
    if (entry.size() < 8) {
      throw new IllegalArgumentException("entry of " + entry.size() + " bytes has no operation id");
    }
    return entry.asReadOnlyByteBuffer().getLong();
  }

  /** The command inside an entry {@link #wrap} framed. */
  static Bytes payload(Bytes entry) {
    byte[] all = entry.toByteArray();
    return Bytes.of(all, 8, all.length - 8);
  }
}
