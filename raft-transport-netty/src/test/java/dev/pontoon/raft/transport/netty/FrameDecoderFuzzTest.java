package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated frames to the decoder. Whatever arrives, the only way out is a
 * {@link DecoderException} (which closes the connection), every input buffer is released, and
 * no decode allocates more than a small multiple of the frame limit.
 */
class FrameDecoderFuzzTest {
  private static final int MAX_FRAME = 64 * 1024;
  /** Cumulation, payload copies and message objects stay well below this for one frame. */
  private static final long ALLOCATION_BUDGET = 8L * MAX_FRAME + 1024 * 1024;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void decoderSurvivesOneHundredThousandRandomAndMutatedFrames() {
    Outcome outcome = fuzz(20261125L, 100_000);
    assertTrue(outcome.decoded > 1_000, "some frames still decode: " + outcome);
    assertTrue(outcome.refused > 10_000, "most mutations are refused: " + outcome);
  }

  @Test
  @Tag("soak")
  void decoderSurvivesTenMillionRandomAndMutatedFrames() {
    Outcome outcome = fuzz(System.nanoTime(), 10_000_000);
    assertTrue(outcome.refused > 1_000_000, outcome.toString());
  }

  private static Outcome fuzz(long seed, int iterations) {
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> seeds = seedFrames();
    Outcome outcome = new Outcome();
    // Warm up first, so that class loading and allocator set-up are not charged to one frame.
    for (int i = 0; i < 5_000; i++) {
      feed(mutate(seeds.get(i % seeds.size()), random), random, new Outcome(), seed, -i);
    }
    boolean measure = THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < iterations; i++) {
      byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
      long before = measure ? THREADS.getThreadAllocatedBytes(thread) : 0;
      feed(input, random, outcome, seed, i);
      if (measure) {
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        if (allocated > ALLOCATION_BUDGET) {
          fail("seed " + seed + " iteration " + i + " allocated " + allocated + " bytes for a " + input.length
              + "-byte input");
        }
      }
    }
    return outcome;
  }

  private static void feed(byte[] input, SplittableRandom random, Outcome outcome, long seed, int iteration) {
    EmbeddedChannel channel = Frames.decoder(MAX_FRAME);
    int split = input.length == 0 ? 0 : random.nextInt(input.length + 1);
    ByteBuf first = Unpooled.wrappedBuffer(input, 0, split);
    ByteBuf second = Unpooled.wrappedBuffer(input, split, input.length - split);
    boolean refused = false;
    for (Runnable step : List.<Runnable>of(() -> channel.writeInbound(first), () -> channel.writeInbound(second),
        channel::finish)) {
      try {
        step.run();
      } catch (DecoderException expected) {
        refused = true;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " iteration " + iteration + " escaped with " + e
            + " on input " + Arrays.toString(input), e);
      }
    }
    if (refused) {
      outcome.refused++;
    } else {
      outcome.decoded++;
    }
    for (Object message; (message = channel.readInbound()) != null; ) {
      assertTrue(message instanceof RaftMessage || message instanceof Hello, message.toString());
    }
    assertEquals(0, references(first) + references(second), "input released");
  }

  /** References held on {@code buf}; the shared empty buffer is never released and counts as none. */
  private static int references(ByteBuf buf) {
    return buf.capacity() == 0 ? 0 : buf.refCnt();
  }

  private static List<byte[]> seedFrames() {
    List<byte[]> frames = new ArrayList<>();
    for (RaftMessage message : SampleMessages.all(NodeId.of("n1"), NodeId.of("n2"))) {
      frames.add(Frames.encode(message));
    }
    frames.add(Frames.encode(new Hello(Frames.CLUSTER, NodeId.of("n3"))));
    return frames;
  }

  /** One of: random bytes, flipped bytes, boundary ints, truncation, extension or concatenation. */
  private static byte[] mutate(byte[] frame, SplittableRandom random) {
    switch (random.nextInt(7)) {
      case 0: {
        byte[] noise = new byte[random.nextInt(64)];
        random.nextBytes(noise);
        return noise;
      }
      case 1: {
        byte[] copy = frame.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
      }
      case 2: {
        int[] boundaries = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, MAX_FRAME, MAX_FRAME + 1, 255, 256};
        int offset = random.nextInt(Math.max(1, frame.length - 3));
        return Frames.withInt(frame, offset, boundaries[random.nextInt(boundaries.length)]);
      }
      case 3:
        return Arrays.copyOf(frame, random.nextInt(frame.length));
      case 4: {
        byte[] longer = Arrays.copyOf(frame, frame.length + 1 + random.nextInt(16));
        return random.nextBoolean() ? longer : Frames.withInt(longer, 0, longer.length - 4);
      }
      case 5: {
        byte[] twice = Arrays.copyOf(frame, frame.length * 2);
        System.arraycopy(frame, 0, twice, frame.length, frame.length);
        twice[frame.length + random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
        return twice;
      }
      default:
        return frame;
    }
  }

  private static final class Outcome {
    long decoded;
    long refused;

    @Override
    public String toString() {
      return "decoded " + decoded + ", refused " + refused;
    }
  }
}
