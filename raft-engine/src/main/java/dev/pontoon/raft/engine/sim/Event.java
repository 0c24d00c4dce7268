package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.message.RaftMessage;

/**
 * One scheduled event of a run. Events run in order of time, and of scheduling among equal
 * times, so that a seed replays exactly.
 *
 * @param time when it happens, in virtual time units
 * @param seq scheduling order, breaking ties
 * @param kind what happens
 * @param target the node (or client) concerned
 * @param message the message to deliver, for {@link Kind#DELIVER}
 * @param arg the operation id for client events, the incarnation for syncs
 * @param task the runtime work to run, for {@link Kind#RUN}
 */
record Event(long time, long seq, Kind kind, int target, RaftMessage message, long arg, SimTask task)
    implements Comparable<Event> {

  /** What an event does. */
  enum Kind { TICK, DELIVER, SYNC, RUN, CLIENT_INVOKE, CLIENT_RETRY, CLIENT_TIMEOUT, FAULT, CRASH, RESTART }

  @Override
  public int compareTo(Event o) {
    int c = Long.compare(time, o.time);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case DELIVER -> "deliver " + message;
      case RUN -> "run " + task.name();
      case TICK, SYNC, CRASH, RESTART -> kind.name().toLowerCase(java.util.Locale.ROOT) + " n" + (target + 1);
      case CLIENT_INVOKE, CLIENT_RETRY, CLIENT_TIMEOUT -> kind.name().toLowerCase(java.util.Locale.ROOT) + " c" + target
          + (arg >= 0 ? " op#" + arg : "");
      case FAULT -> "fault point";
    };
  }
}
