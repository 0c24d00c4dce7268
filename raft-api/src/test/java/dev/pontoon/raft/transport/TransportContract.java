package dev.pontoon.raft.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.TimeoutNow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} must show, run against each implementation by extending
 * this class. Three transports, {@code n1}, {@code n2} and {@code n3}, each knowing the other two,
 * are created and started before every test and closed after it.
 *
 * <p>A transport may drop messages, notably before a connection is up; tests therefore first
 * wait until a link carries a probe ({@code TimeoutNow} of term 0, sent again until one
 * arrives), just as Raft retries, and then expect delivery of everything sent on an idle link.
 */
public abstract class TransportContract {
  protected static final NodeId N1 = NodeId.of("n1");
  protected static final NodeId N2 = NodeId.of("n2");
  protected static final NodeId N3 = NodeId.of("n3");
  protected static final Duration PATIENCE = Duration.ofSeconds(30);

  private final Map<NodeId, Transport> transports = new LinkedHashMap<>();
  private final Map<NodeId, Inbox> inboxes = new ConcurrentHashMap<>();

  /**
   * Creates one transport per id, each configured with all the others as peers. They are not
   * started yet.
   */
  protected abstract Map<NodeId, Transport> createTransports(List<NodeId> ids);

  /**
   * Creates a new transport for {@code id}, whose previous transport was closed, reachable by the
   * others exactly as before. Not started yet.
   */
  protected abstract Transport reopen(NodeId id);

  /** What one transport received, and how much of it before it was closed. */
  protected static final class Inbox implements InboundHandler {
    private final ConcurrentLinkedQueue<RaftMessage> messages = new ConcurrentLinkedQueue<>();

    @Override
    public void onMessage(RaftMessage message) {
      messages.add(message);
    }

    /** Everything but the probes, in arrival order. */
    public List<RaftMessage> received() {
      return messages.stream().filter(m -> !isProbe(m)).collect(Collectors.toList());
    }

    /** Every message, probes included. */
    public int size() {
      return messages.size();
    }

    boolean hasProbeFrom(NodeId from) {
      return messages.stream().anyMatch(m -> isProbe(m) && m.from().equals(from));
    }
  }

  @BeforeEach
  void startTransports() {
    transports.putAll(createTransports(List.of(N1, N2, N3)));
    transports.forEach((id, transport) -> start(id, transport));
  }

  @AfterEach
  void closeTransports() {
    transports.values().forEach(Transport::close);
  }

  /** The running transport of {@code id}. */
  protected Transport transport(NodeId id) {
    return transports.get(id);
  }

  /** What {@code id}'s current transport received. */
  protected Inbox inbox(NodeId id) {
    return inboxes.get(id);
  }

  /** Closes {@code id}'s transport, and starts a reopened one in its place. */
  protected void restart(NodeId id) {
    transports.get(id).close();
    Transport fresh = reopen(id);
    transports.put(id, fresh);
    start(id, fresh);
  }

  private void start(NodeId id, Transport transport) {
    Inbox inbox = new Inbox();
    inboxes.put(id, inbox);
    transport.start(inbox);
  }

  /** Sends probes from {@code from} to {@code to} until one arrives. */
  protected void awaitLink(NodeId from, NodeId to) {
    await("link " + from + " -> " + to).atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> {
      transports.get(from).send(probe(from, to));
      return inboxes.get(to).hasProbeFrom(from);
    });
  }

  private static TimeoutNow probe(NodeId from, NodeId to) {
    return new TimeoutNow(from, to, 0);
  }

  private static boolean isProbe(RaftMessage m) {
    return m instanceof TimeoutNow && m.term() == 0;
  }

  @Test
  void deliversEveryMessageType() {
    awaitLink(N1, N2);
    List<RaftMessage> samples = SampleMessages.all(N1, N2);
    samples.forEach(transport(N1)::send);

    await().atMost(PATIENCE).until(() -> new HashSet<>(inbox(N2).received()).containsAll(samples));
    Set<Class<?>> types = inbox(N2).received().stream().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(RaftMessage.class.getPermittedSubclasses()), types);
  }

  @Test
  void deliversManyMessagesFromConcurrentSenders() throws InterruptedException {
    awaitLink(N1, N2);
    awaitLink(N3, N2);
    int perSender = 10_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> senders = new ArrayList<>();
    for (NodeId from : List.of(N1, N3)) {
      senders.add(new Thread(() -> {
        awaitQuietly(go);
        for (int i = 0; i < perSender; i++) {
          transport(from).send(SampleMessages.numbered(from, N2, i));
        }
      }));
    }
    senders.forEach(Thread::start);
    go.countDown();
    for (Thread sender : senders) {
      sender.join(PATIENCE.toMillis());
    }

    await().atMost(PATIENCE).until(() -> distinctNumbered(inbox(N2)) == 2 * perSender);
  }

  @Test
  void sendToUnknownPeerNeitherThrowsNorBlocks() {
    NodeId stranger = NodeId.of("stranger");
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      for (int i = 0; i < 10_000; i++) {
        transport(N1).send(SampleMessages.numbered(N1, stranger, i));
      }
    });
    awaitLink(N1, N2);
  }

  @Test
  void sendToUnreachablePeerNeitherThrowsNorBlocks() {
    awaitLink(N1, N3);
    transport(N3).close();
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      for (int i = 0; i < 10_000; i++) {
        transport(N1).send(SampleMessages.numbered(N1, N3, i));
      }
    });
    awaitLink(N1, N2);
  }

  @Test
  void closeIsIdempotentAndSendAfterCloseIsIgnored() {
    transport(N1).close();
    assertDoesNotThrow(transport(N1)::close);
    assertDoesNotThrow(() -> transport(N1).send(SampleMessages.numbered(N1, N2, 1)));
  }

  @Test
  void nothingIsDeliveredAfterClose() {
    awaitLink(N1, N2);
    transport(N2).close();
    int atClose = inbox(N2).size();

    for (int i = 0; i < 1_000; i++) {
      transport(N1).send(SampleMessages.numbered(N1, N2, i));
    }
    // Progress elsewhere shows that n1's sends have been processed by now.
    awaitLink(N1, N3);
    awaitLink(N3, N1);
    assertEquals(atClose, inbox(N2).size(), "messages delivered to a closed transport");
  }

  @Test
  void reopenedTransportIsReachableAgainInBothDirections() {
    awaitLink(N1, N2);
    restart(N2);

    awaitLink(N1, N2);
    awaitLink(N2, N1);
    transport(N1).send(SampleMessages.numbered(N1, N2, 7));
    await().atMost(PATIENCE).until(() -> inbox(N2).received().contains(SampleMessages.numbered(N1, N2, 7)));
    assertTrue(inbox(N2).received().stream().allMatch(m -> m.to().equals(N2)));
  }

  private static long distinctNumbered(Inbox inbox) {
    return inbox.received().stream()
        .filter(m -> m instanceof AppendEntries)
        .map(m -> m.from().value() + "#" + ((AppendEntries) m).sequence())
        .distinct()
        .count();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
