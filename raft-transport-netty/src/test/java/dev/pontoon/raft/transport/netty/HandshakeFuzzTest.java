package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated handshakes to both sides of a connection (decoder and handshake
 * handler, as on a real channel), with and without a shared secret the fuzzer does not know.
 * Whatever arrives: nothing escapes the pipeline, every input buffer is released, a closed
 * connection leaves no reservation and no unauthenticated slot behind, no input allocates more
 * than a small budget, and with a shared secret no connection ever opens and no Raft message is
 * ever decoded.
 */
class HandshakeFuzzTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final dev.pontoon.raft.ClusterId CLUSTER_ID = dev.pontoon.raft.ClusterId.of("fuzz");
  private static final long CLUSTER = WireFormat.tagOf(CLUSTER_ID);
  /** Handshake frames are at most 4 KiB: cumulation, copies and handler state stay well below this. */
  private static final long ALLOCATION_BUDGET = 512 * 1024;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final SharedSecret unknownSecret = new SharedSecret(
      "a secret that the fuzzer never learns, 32+ bytes".getBytes(StandardCharsets.US_ASCII));
  private final TransportCounters counters = new TransportCounters();
  private final InboundBudget budget = new InboundBudget(Frames.MAX);
  private final UnauthenticatedConnections unauthenticated =
      new UnauthenticatedConnections(N2, 64, new LongAdder());
  private final LongAdder delivered = new LongAdder();
  private final SecureRandom nonces = new SecureRandom();
  private final NettyTransportConfig acceptorConfig = config(N2);
  private final NettyTransportConfig connectorConfig = config(N1);

  @Test
  void handshakeSurvivesOneHundredThousandRandomAndMutatedInputs() {
    Outcome outcome = fuzz(20261126L, 100_000);
    assertTrue(outcome.answered > 1_000, "many acceptors get as far as answering: " + outcome);
    assertTrue(outcome.openedWithoutSecret > 100, "without a secret, valid handshakes still open: " + outcome);
    assertTrue(outcome.established > 100, "without a secret, valid answers still connect: " + outcome);
  }

  @Test
  @Tag("soak")
  void handshakeSurvivesTenMillionRandomAndMutatedInputs() {
    fuzz(System.nanoTime(), 10_000_000);
  }

  private Outcome fuzz(long seed, int iterations) {
    SplittableRandom random = new SplittableRandom(seed);
    Outcome outcome = new Outcome();
    for (int i = 0; i < 2_000; i++) {
      runOne(random, new Outcome(), seed, -i, i % 4);
    }
    boolean measure = THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < iterations; i++) {
      long before = measure ? THREADS.getThreadAllocatedBytes(thread) : 0;
      runOne(random, outcome, seed, i, i % 4);
      if (measure) {
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        if (allocated > ALLOCATION_BUDGET) {
          fail("seed " + seed + " iteration " + i + " allocated " + allocated + " bytes");
        }
      }
    }
    return outcome;
  }

  /** Variant 0, 1: the accepting side without and with a secret; 2, 3: the connecting side. */
  private void runOne(SplittableRandom random, Outcome outcome, long seed, int iteration, int variant) {
    boolean withSecret = variant % 2 == 1;
    SharedSecret secret = withSecret ? unknownSecret : null;
    try {
      if (variant < 2) {
        acceptor(random, outcome, secret);
      } else {
        connector(random, outcome, secret);
      }
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("seed " + seed + " iteration " + iteration + " variant " + variant + ": " + e, e);
    }
  }

  private void acceptor(SplittableRandom random, Outcome outcome, SharedSecret secret) {
    long decodedBefore = counters.raftMessagesDecoded.sum();
    long deliveredBefore = delivered.sum();
    InboundDispatcher.Shared shared = new InboundDispatcher.Shared(acceptorConfig, Set.of(N1, N3),
        m -> delivered.increment(), counters, unauthenticated, new ConcurrentHashMap<NodeId, Channel>(), secret,
        nonces);
    EmbeddedChannel channel = new EmbeddedChannel(FrameDecoder.awaitingHello(Frames.MAX, CLUSTER,
        WireFormat.DEFAULT_GROUP, budget, counters), new InboundDispatcher(shared));
    unauthenticated.admit(channel);
    byte[] input = mutate(acceptorSeeds(random, secret != null), random);
    List<ByteBuf> fed = feed(channel, input, random);
    boolean answered = drainOutbound(channel) > 0;
    if (answered) {
      outcome.answered++;
    }
    if (secret != null) {
      assertEquals(decodedBefore, counters.raftMessagesDecoded.sum(), "no Raft message decoded without the secret");
      assertEquals(deliveredBefore, delivered.sum(), "nothing delivered without the secret");
    } else if (delivered.sum() > deliveredBefore) {
      outcome.openedWithoutSecret++;
    }
    channel.finishAndReleaseAll();
    assertReleased(fed);
    assertEquals(0, budget.reserved(), "the closed connection's reservation is released");
    assertEquals(0, unauthenticated.size(), "the closed connection leaves its slot");
  }

  private void connector(SplittableRandom random, Outcome outcome, SharedSecret secret) {
    PeerConnection connection = new PeerConnection(N2, () -> InetSocketAddress.createUnresolved("n2", 1), () -> null,
        connectorConfig, null, null, null, counters);
    EmbeddedChannel channel = new EmbeddedChannel(FrameDecoder.awaitingHello(Frames.MAX, CLUSTER,
        WireFormat.DEFAULT_GROUP, budget, counters), new OutboundHandshake(connectorConfig, connection, counters, secret,
        nonces));
    drainOutbound(channel);
    byte[] input = mutate(connectorSeeds(random, secret != null), random);
    List<ByteBuf> fed = feed(channel, input, random);
    drainOutbound(channel);
    if (connection.establishedChannel() != null) {
      assertNull(secret, "a connection opened on an answer that cannot know the secret");
      outcome.established++;
    }
    channel.finishAndReleaseAll();
    assertReleased(fed);
    assertEquals(0, budget.reserved());
  }

  /** Feeds {@code input} in two reads and returns the two buffers, to be released once the channel is closed. */
  private List<ByteBuf> feed(EmbeddedChannel channel, byte[] input, SplittableRandom random) {
    int split = input.length == 0 ? 0 : random.nextInt(input.length + 1);
    ByteBuf first = Unpooled.wrappedBuffer(input, 0, split);
    ByteBuf second = Unpooled.wrappedBuffer(input, split, input.length - split);
    channel.writeInbound(first);
    if (channel.isOpen()) {
      channel.writeInbound(second);
    } else {
      second.release(); // a closed connection reads nothing more
    }
    channel.checkException();
    for (Object message; (message = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(message);
      fail("a frame passed the handshake handler: " + message);
    }
    return List.of(first, second);
  }

  private static void assertReleased(List<ByteBuf> input) {
    assertEquals(0, input.stream().mapToInt(HandshakeFuzzTest::references).sum(), "input released");
  }

  private static int drainOutbound(EmbeddedChannel channel) {
    int frames = 0;
    for (Object out; (out = channel.readOutbound()) != null; frames++) {
      ReferenceCountUtil.release(out);
    }
    return frames;
  }

  private static int references(ByteBuf buf) {
    return buf.capacity() == 0 ? 0 : buf.refCnt();
  }

  private static NettyTransportConfig config(NodeId id) {
    return NettyTransportConfig.builder(id, CLUSTER_ID).listenAddress(new InetSocketAddress("127.0.0.1", 0)).build();
  }

  /** What a connector might send: a Hello (well-formed or not), perhaps a proof, perhaps messages. */
  private static byte[] acceptorSeeds(SplittableRandom random, boolean secretFlag) {
    NodeId who = random.nextInt(8) == 0 ? NodeId.of("n9") : random.nextBoolean() ? N1 : N3;
    boolean flag = random.nextInt(8) == 0 ? !secretFlag : secretFlag;
    List<byte[]> frames = new ArrayList<>();
    long tag = random.nextInt(16) == 0 ? CLUSTER + 1 : CLUSTER;
    frames.add(Frames.encode(new Hello(tag, who, flag, randomBytes(random, WireFormat.NONCE_SIZE),
        random.nextInt(4) == 0 ? randomBytes(random, 32) : Bytes.EMPTY), tag));
    if (random.nextBoolean()) {
      frames.add(Frames.encode(new HelloProof(randomBytes(random, WireFormat.PROOF_SIZE)), CLUSTER));
    }
    List<RaftMessage> samples = SampleMessages.all(who, N2);
    for (int n = random.nextInt(3); n > 0; n--) {
      frames.add(Frames.encode(samples.get(random.nextInt(samples.size())), CLUSTER));
    }
    if (random.nextInt(8) == 0) {
      frames.add(0, Frames.encode(samples.get(random.nextInt(samples.size())), CLUSTER));
    }
    return concat(frames);
  }

  /** What an acceptor might answer: a Hello of the expected peer or another, with or without a proof. */
  private static byte[] connectorSeeds(SplittableRandom random, boolean secretFlag) {
    NodeId who = random.nextInt(8) == 0 ? N3 : N2;
    boolean flag = random.nextInt(8) == 0 ? !secretFlag : secretFlag;
    Bytes proof = flag && random.nextInt(8) != 0 ? randomBytes(random, WireFormat.PROOF_SIZE) : Bytes.EMPTY;
    List<byte[]> frames = new ArrayList<>();
    frames.add(Frames.encode(new Hello(CLUSTER, who, flag, randomBytes(random, WireFormat.NONCE_SIZE), proof),
        CLUSTER));
    if (random.nextInt(4) == 0) {
      frames.add(Frames.encode(SampleMessages.numbered(who, N1, random.nextInt(100)), CLUSTER));
    }
    return concat(frames);
  }

  /** As the frame fuzz test: noise, flipped bytes, boundary ints, truncation, extension, repetition. */
  private static byte[] mutate(byte[] input, SplittableRandom random) {
    switch (random.nextInt(7)) {
      case 0: {
        byte[] noise = new byte[random.nextInt(96)];
        random.nextBytes(noise);
        return noise;
      }
      case 1: {
        byte[] copy = input.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
      }
      case 2: {
        int[] boundaries = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, WireFormat.MAX_HANDSHAKE_FRAME_SIZE,
            WireFormat.MAX_HANDSHAKE_FRAME_SIZE + 1, 255, 256};
        int offset = random.nextInt(Math.max(1, input.length - 3));
        return Frames.withInt(input, offset, boundaries[random.nextInt(boundaries.length)]);
      }
      case 3:
        return Arrays.copyOf(input, random.nextInt(input.length));
      case 4:
        return Arrays.copyOf(input, input.length + 1 + random.nextInt(16));
      case 5: {
        byte[] twice = concat(List.of(input, input));
        twice[input.length + random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
        return twice;
      }
      default:
        return input;
    }
  }

  private static Bytes randomBytes(SplittableRandom random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return Bytes.wrap(bytes);
  }

  private static byte[] concat(List<byte[]> parts) {
    int length = parts.stream().mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static final class Outcome {
    long answered;
    long openedWithoutSecret;
    long established;

    @Override
    public String toString() {
      return "answered " + answered + ", opened without a secret " + openedWithoutSecret + ", established "
          + established;
    }
  }
}
