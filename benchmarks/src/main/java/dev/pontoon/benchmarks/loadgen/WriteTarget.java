package dev.pontoon.benchmarks.loadgen;

import java.util.concurrent.CompletableFuture;

/**
 * Where the load tool's writes go: a cluster in this JVM ({@link InProcessTarget}) or a KV
 * cluster over HTTP ({@link HttpKvTarget}). A target follows the leader by itself (a leader hint,
 * a redirect); the caller counts a failed write as an error and tries again.
 *
 * <p><b>Threading.</b> {@link #write} and {@link #logSyncs} from any thread, concurrently;
 * futures complete on the target's threads. {@link #close()} once, after the last write finished
 * or was given up on.
 */
interface WriteTarget extends AutoCloseable {

  /**
   * Sends one write of the configured value on behalf of client {@code client}. Never blocks for
   * long and never throws.
   *
   * @return completes when the write is acknowledged (committed and applied), exceptionally when
   *     it failed or its outcome is unknown
   */
  CompletableFuture<?> write(int client);

  /** Log syncs completed so far by all nodes, or -1 when the target cannot know (a remote cluster). */
  long logSyncs();

  /** What is loaded, for the tool's first line on stderr. */
  String describe();

  /** Stops what the target started (an in-process cluster, an HTTP client). */
  @Override
  void close();
}
