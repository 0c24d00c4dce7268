/**
 * The messages Raft nodes exchange: one record per RPC of the paper and one for its response,
 * under the sealed {@link dev.pontoon.raft.message.RaftMessage}. Field names follow Figure 2.
 */
package dev.pontoon.raft.message;
