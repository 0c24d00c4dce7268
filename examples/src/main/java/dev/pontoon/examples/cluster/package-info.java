/**
 * The runnable KV service: one node ({@link dev.pontoon.examples.cluster.KvNode}, on RocksDB and
 * the Netty or HTTP/JSON transport) and the one-command local cluster of three processes behind
 * {@code examples/bin/pontoon-kv}.
 */
package dev.pontoon.examples.cluster;
