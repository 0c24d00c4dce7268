package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;

/**
 * A linearizable read waiting for its read index to be confirmed and then applied.
 *
 * @param id the request id given to the core
 * @param query the bytes for {@code StateMachine.query}
 * @param future the caller's answer
 */
record PendingRead(long id, Bytes query, CompletableFuture<Bytes> future) {}
