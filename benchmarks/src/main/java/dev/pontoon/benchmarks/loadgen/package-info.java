/**
 * A closed-loop load generator: a cluster of three nodes in one JVM (in-memory or Netty
 * transport, in-memory or RocksDB logs) driven by C concurrent clients for a fixed time,
 * printing ops/s and latency percentiles.
 */
package dev.pontoon.benchmarks.loadgen;
