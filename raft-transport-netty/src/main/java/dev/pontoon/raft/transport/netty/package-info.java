/**
 * A {@link dev.pontoon.raft.transport.Transport} over TCP, optionally with mutual TLS, built on
 * Netty: {@link dev.pontoon.raft.transport.netty.NettyTransport}, configured by {@link
 * dev.pontoon.raft.transport.netty.NettyTransportConfig}, observed through {@link
 * dev.pontoon.raft.transport.netty.NettyTransportStats}. Everything else in the package (the
 * frame codec, connections, handshake) is package-private. The wire format is specified in
 * {@code WIRE-FORMAT.md} at the root of this module.
 */
package dev.pontoon.raft.transport.netty;
