/**
 * A second Raft {@link dev.pontoon.raft.transport.Transport}, over HTTP/JSON, showing that the
 * transport SPI is pluggable: the KV node runs on it or on the Netty transport by a flag. The
 * wire contract is documented in {@code examples/HTTP-TRANSPORT.md}.
 */
package dev.pontoon.examples.httptransport;
