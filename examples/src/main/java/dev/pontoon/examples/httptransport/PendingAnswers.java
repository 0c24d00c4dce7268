package dev.pontoon.examples.httptransport;

import dev.pontoon.raft.NodeId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * HTTP requests that wait for the node's response: the receiving side of the transport hands a
 * request to the node and parks the HTTP exchange here, keyed by the peer and the kind of
 * exchange; when the node sends the matching response to that peer, the parked exchange with the
 * same sequence number is answered with it (appends carry one), else, for a response without one,
 * the oldest parked exchange.
 *
 * <p>A response with a sequence answers only the exchange of that sequence: when that exchange is
 * gone (it timed out with 503), the response is dropped, never handed to a newer exchange. The
 * leader reads the sequence as the round the follower answered: a late success relabelled as the
 * answer to a newer append would tell it that the follower stored entries it never saw, and a
 * late heartbeat answer would confirm a ReadIndex round that nobody answered (thesis §6.4).
 *
 * <p>Thread-safe: requests park from Netty threads, responses arrive from the node's thread.
 */
final class PendingAnswers {
  /** The kinds of exchange; a vote and a pre-vote from one candidate may be pending together. */
  enum Kind { APPEND, VOTE, PRE_VOTE, SNAPSHOT }

  record Key(NodeId peer, Kind kind) {}

  /** One parked exchange: its sequence (0 when none) and how to answer it. */
  static final class Pending {
    final long sequence;
    final Consumer<Object> answer;

    Pending(long sequence, Consumer<Object> answer) {
      this.sequence = sequence;
      this.answer = answer;
    }
  }

  private final Map<Key, Deque<Pending>> parked = new HashMap<>();
  private final int maxPerKey;

  PendingAnswers(int maxPerKey) {
    this.maxPerKey = maxPerKey;
  }

  /** Parks {@code pending}; returns false (and parks nothing) when too many already wait for {@code key}. */
  synchronized boolean park(Key key, Pending pending) {
    Deque<Pending> queue = parked.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (queue.size() >= maxPerKey) {
      return false;
    }
    queue.addLast(pending);
    return true;
  }

  /** Removes {@code pending} if it still waits (it timed out); returns whether it did. */
  synchronized boolean remove(Key key, Pending pending) {
    Deque<Pending> queue = parked.get(key);
    boolean removed = queue != null && queue.remove(pending);
    if (queue != null && queue.isEmpty()) {
      parked.remove(key);
    }
    return removed;
  }

  /**
   * Takes the exchange a response with {@code sequence} answers: the one parked with that
   * sequence, or for sequence 0 the oldest; null when none waits.
   */
  synchronized Pending take(Key key, long sequence) {
    Deque<Pending> queue = parked.get(key);
    if (queue == null) {
      return null;
    }
    Pending found = null;
    if (sequence == 0) {
      found = queue.pollFirst();
    } else {
      for (Iterator<Pending> it = queue.iterator(); it.hasNext() && found == null;) {
        Pending p = it.next();
        if (p.sequence == sequence) {
          found = p;
          it.remove();
        }
      }
    }
    if (queue.isEmpty()) {
      parked.remove(key);
    }
    return found;
  }
}
