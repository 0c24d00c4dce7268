package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;

/**
 * A linearizable read waiting for its read index to be confirmed and then applied.
 *
 * @param id the request id given to the core, in registration order
 * @param query the bytes for {@code StateMachine.query}
 * @param future the caller's answer; completed at most once, possibly (on timeout) before the
 *     read has left the node
 * @param deadlineNanos when, on the node's clock, the read times out
 */
record PendingRead(long id, Bytes query, CompletableFuture<Bytes> future, long deadlineNanos) {}
