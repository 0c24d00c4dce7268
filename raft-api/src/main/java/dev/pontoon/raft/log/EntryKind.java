package dev.pontoon.raft.log;

/** What a log entry carries. */
public enum EntryKind {
  /** A command of the application, handed to {@code StateMachine.apply}. */
  COMMAND,
  /** The empty entry a new leader appends at the start of its term (thesis §6.4, §3.6.2). */
  NO_OP,
  /** A cluster configuration, encoded with {@link ClusterConfig#toBytes()}. */
  CONFIGURATION
}
