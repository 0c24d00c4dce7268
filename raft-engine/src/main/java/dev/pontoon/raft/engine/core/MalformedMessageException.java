package dev.pontoon.raft.engine.core;

/**
 * A peer's message that no correct Raft peer can send: for example an AppendEntries whose entry
 * terms decrease or exceed the message's term, or an AppendEntries of a leader's own term
 * arriving at that leader (Election Safety, §5.2, allows one leader per term).
 *
 * <p>{@link RaftCore#step} throws it <b>before any state change</b>: the core's term, vote, log,
 * role, timers and pending output are exactly as before the call, as if the message had been
 * lost on the way. Raft tolerates lost messages, so the node is not harmed.
 *
 * <p><b>What to do.</b> Drop the message, count it and log it (once per peer is enough: a faulty
 * peer tends to repeat itself), and go on. Do not stop the node: one faulty or hostile peer must
 * not take down the others. Contrast {@link IllegalStateException} from {@code step}, which means
 * a broken <i>local</i> invariant (a bug or a corrupted store): then the node must stop.
 *
 * <p>It extends {@link IllegalArgumentException}, so a caller that already drops peer input
 * refused with that type keeps working.
 *
 * @see RaftCore#step
 */
public final class MalformedMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  MalformedMessageException(String message) {
    super(message);
  }
}
