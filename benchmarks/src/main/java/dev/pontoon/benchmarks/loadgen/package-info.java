/**
 * The load tool ({@code benchmarks/bin/pontoon-load}, main class {@link
 * dev.pontoon.benchmarks.loadgen.LoadGenerator}): closed-loop clients writing to a cluster in this
 * JVM ({@code --in-process}: Netty over loopback, RocksDB logs, one sync per group-commit batch)
 * or to a running KV cluster over HTTP ({@code --target}), latencies in HdrHistogram, progress on
 * stderr once a second and one result line on stdout of a fixed form (see {@code LoadResult}).
 * {@link dev.pontoon.benchmarks.loadgen.InProcessCluster} is also the cluster of the JMH
 * replication benchmark.
 */
package dev.pontoon.benchmarks.loadgen;
