package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.StorageException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the event loop does with a peer's message that the core refused: the message is dropped
 * (Raft tolerates lost messages), every drop is counted, and the first drop from each peer is
 * logged at WARN, later ones at DEBUG, since a faulty peer tends to repeat itself and must not
 * flood the log.
 *
 * <p>Which refusals are the peer's fault is decided by {@link #isLocalFailure}: an
 * {@link IllegalStateException} from {@code RaftCore.step} means a broken local invariant and a
 * {@link StorageException} a failing store (both fatal for the node); anything else thrown for a
 * peer's message — {@code IllegalArgumentException}, of which the core's
 * {@code MalformedMessageException} is one, or any other runtime exception — costs that message
 * only, so that one faulty or hostile peer cannot stop the others.
 *
 * <p><b>Threading.</b> Event loop only.
 */
final class MalformedMessages {

  private static final Logger LOG = LoggerFactory.getLogger(MalformedMessages.class);

  private final NodeId self;
  private final Runnable count;
  /** Peers already reported at WARN; at most the cluster's members, since the core ignores others. */
  private final Set<NodeId> warned = new HashSet<>();

  /**
   * @param self this node, for the log lines
   * @param count counts one dropped message
   */
  MalformedMessages(NodeId self, Runnable count) {
    this.self = self;
    this.count = count;
  }

  /** Whether {@code e}, thrown by the core for a peer's message, is this node's failure, not the peer's. */
  static boolean isLocalFailure(RuntimeException e) {
    return e instanceof IllegalStateException || e instanceof StorageException;
  }

  /**
   * Drops {@code message}, which the core refused with {@code cause}: counts it and logs it.
   *
   * @return whether it was logged at WARN (the first drop from its sender)
   */
  boolean drop(RaftMessage message, RuntimeException cause) {
    count.run();
    String type = message.getClass().getSimpleName();
    if (warned.add(message.from())) {
      LOG.warn("{}: dropped {} from {}: {}; further bad messages from {} are logged at DEBUG", self, type,
          message.from(), cause.toString(), message.from());
      return true;
    }
    LOG.debug("{}: dropped {} from {}: {}", self, type, message.from(), cause.toString());
    return false;
  }
}
