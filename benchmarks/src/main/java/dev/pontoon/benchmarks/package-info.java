/**
 * JMH benchmarks of Pontoon: the core alone ({@code CoreThroughputBenchmark}), a cluster of
 * runtimes in memory ({@code ReplicationThroughputBenchmark}), the RocksDB log store against a
 * plain {@code FileChannel} loop ({@code LogStoreAppendBenchmark}) and the Netty transport
 * ({@code TransportBenchmark}). Run them from {@code benchmarks/target/benchmarks.jar}; speed is
 * measured here and never asserted in tests.
 */
package dev.pontoon.benchmarks;
