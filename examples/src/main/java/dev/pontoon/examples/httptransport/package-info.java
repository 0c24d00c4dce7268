/**
 * A second Raft {@link dev.pontoon.raft.transport.Transport}, over HTTP/JSON, showing that the
 * transport SPI is pluggable: the KV node runs on it or on the Netty transport by a flag, and then
 * serves {@code /raft/*} on its HTTP API's port. The wire contract, enough to write a peer from, is
 * documented in {@code examples/HTTP-TRANSPORT.md}.
 */
package dev.pontoon.examples.httptransport;
