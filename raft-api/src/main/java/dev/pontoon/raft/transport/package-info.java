/** The transport SPI: how Raft messages leave and reach a node. */
package dev.pontoon.raft.transport;
