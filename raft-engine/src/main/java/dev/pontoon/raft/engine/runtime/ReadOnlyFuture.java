package dev.pontoon.raft.engine.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A future that only its owner completes: every completing method a caller could reach throws
 * {@link UnsupportedOperationException}, so one instance can be handed to any number of callers
 * (one object, no dependent per call) and none can change what the others see; {@code orTimeout}
 * and {@code completeOnTimeout} return a copy with the timeout instead. Futures derived
 * from it ({@code thenApply}, {@code copy()}, ...) are ordinary ones. Callbacks get an exceptional
 * outcome as it was given, not wrapped in a {@code CompletionException}.
 */
final class ReadOnlyFuture<T> extends CompletableFuture<T> {
  private static final String WHY = "this future is completed by its owner only; use copy() for one of your own";

  /** Completes it normally; the owner's call. */
  void succeed(T value) {
    super.complete(value);
  }

  /** Completes it with {@code failure}; the owner's call. */
  void fail(Throwable failure) {
    super.completeExceptionally(failure);
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public boolean complete(T value) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
    throw new UnsupportedOperationException(WHY);
  }

  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
    throw new UnsupportedOperationException(WHY);
  }

  /** Times out a copy, never this future: the caller's wait ends, other callers' do not. */
  @Override
  public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
    return copy().orTimeout(timeout, unit);
  }

  /** Completes a copy on timeout, never this future (see {@link #orTimeout}). */
  @Override
  public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
    return copy().completeOnTimeout(value, timeout, unit);
  }
}
