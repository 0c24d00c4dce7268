/**
 * A replicated key-value store on Pontoon: the state machine ({@link dev.pontoon.examples.kv.KvStateMachine}),
 * its command codec, and an HTTP/JSON front end ({@link dev.pontoon.examples.kv.KvHttpServer}) that
 * answers writes after commit, reads linearizably (ReadIndex) and redirects followers' clients to
 * the leader.
 */
package dev.pontoon.examples.kv;
