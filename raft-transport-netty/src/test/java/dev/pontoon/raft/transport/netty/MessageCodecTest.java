package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  @Test
  void everyPermittedMessageTypeHasSamplesAndAWireType() {
    Set<Class<?>> sampled = SampleMessages.all(N1, N2).stream().map(Object::getClass).collect(Collectors.toSet());
    Set<Byte> types = new java.util.HashSet<>();
    for (Class<?> type : RaftMessage.class.getPermittedSubclasses()) {
      assertTrue(sampled.contains(type), "no sample of " + type.getSimpleName());
    }
    for (RaftMessage m : SampleMessages.all(N1, N2)) {
      types.add(MessageCodec.typeOf(m));
    }
    assertEquals(RaftMessage.class.getPermittedSubclasses().length, types.size(), "one wire type per message type");
  }

  @Test
  void everyMessageTypeRoundTripsThroughEncoderAndDecoder() {
    EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(Frames.CLUSTER, WireFormat.DEFAULT_GROUP));
    EmbeddedChannel decoder = Frames.decoder();
    List<RaftMessage> samples = SampleMessages.all(N1, N2);
    for (RaftMessage message : samples) {
      assertTrue(encoder.writeOutbound(message));
      ByteBuf frame = encoder.readOutbound();
      assertEquals(FrameEncoder.frameSize(message), frame.readableBytes(), "announced size of " + message);
      decoder.writeInbound(frame);
      assertEquals(0, frame.refCnt(), "decoder released the frame");
      assertEquals(message, decoder.readInbound());
    }
    assertNull(decoder.readInbound());
    assertFalse(encoder.finish());
    assertFalse(decoder.finish());
  }

  @Test
  void helloRoundTripsWithItsClusterId() {
    Hello hello = new Hello(Frames.CLUSTER, SampleMessages.longestNodeId());
    EmbeddedChannel decoder = Frames.decoder();
    decoder.writeInbound(Frames.buf(Frames.encode(hello)));
    assertEquals(hello, decoder.readInbound());
  }

  @Test
  void longestNodeIdsRoundTrip() {
    NodeId longest = SampleMessages.longestNodeId();
    EmbeddedChannel decoder = Frames.decoder();
    for (RaftMessage message : SampleMessages.all(longest, N2)) {
      decoder.writeInbound(Frames.buf(Frames.encode(message)));
      assertEquals(message, decoder.readInbound());
    }
  }

  @Test
  void maximalBatchOfEntriesRoundTripsWithWrappedPayloads() {
    SplittableRandom random = new SplittableRandom(7);
    List<LogEntry> entries = new ArrayList<>();
    int[] sizes = {0, 1, WireFormat.WRAP_PAYLOAD_THRESHOLD - 1, WireFormat.WRAP_PAYLOAD_THRESHOLD, 2048};
    for (int i = 0; i < 1024; i++) {
      byte[] payload = new byte[i == 1023 ? 3 * 1024 * 1024 : sizes[i % sizes.length]];
      random.nextBytes(payload);
      entries.add(LogEntry.command(i + 1, 1, Bytes.wrap(payload)));
    }
    AppendEntries big = new AppendEntries(N1, N2, 1, 0, 0, entries, 0, 1);
    EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(Frames.CLUSTER, WireFormat.DEFAULT_GROUP));
    encoder.writeOutbound(big);
    ByteBuf frame = encoder.readOutbound();
    assertTrue(frame instanceof CompositeByteBuf, "large payloads are wrapped, not copied");
    assertTrue(frame.readableBytes() <= WireFormat.DEFAULT_MAX_FRAME_SIZE);
    EmbeddedChannel decoder = Frames.decoder();
    decoder.writeInbound(frame);
    assertEquals(0, frame.refCnt());
    assertEquals(big, decoder.readInbound());
  }

  @Test
  void entryKindsHaveExplicitCodesOnTheWireTheSameAsOnDisk() {
    int kindAt = 4 + WireFormat.HEADER_SIZE + 3 + 3 + 8 * 5 + 4 + 8; // after from, to, term, 4 longs, count, term
    Map<EntryKind, Integer> codes = Map.of(EntryKind.COMMAND, 1, EntryKind.NO_OP, 2, EntryKind.CONFIGURATION, 3);
    codes.forEach((kind, code) -> {
      LogEntry entry = new LogEntry(1, 1, kind, kind == EntryKind.CONFIGURATION
          ? dev.pontoon.raft.log.ClusterConfig.ofVoters(Set.of(N1)).toBytes() : Bytes.EMPTY);
      AppendEntries append = new AppendEntries(N1, N2, 1, 0, 0, List.of(entry), 0, 1);
      byte[] frame = Frames.encode(append);
      assertEquals(code, frame[kindAt], "code of " + kind);
      EmbeddedChannel decoder = Frames.decoder();
      decoder.writeInbound(Frames.buf(frame));
      assertEquals(append, decoder.readInbound());
    });
  }

  @Test
  void encodedBytesAreStableForAHello() {
    byte[] nonce = new byte[WireFormat.NONCE_SIZE];
    java.util.Arrays.fill(nonce, (byte) 7);
    byte[] frame = Frames.encode(new Hello(Frames.CLUSTER, N1, true, Bytes.wrap(nonce), Bytes.EMPTY));
    byte[] expected = new byte[4 + 16 + 3 + 1 + 32 + 1];
    io.netty.buffer.Unpooled.wrappedBuffer(expected).writerIndex(0)
        .writeInt(16 + 3 + 1 + 32 + 1).writeShort(0x504E).writeByte(3).writeByte(WireFormat.TYPE_HELLO)
        .writeLong(42).writeInt(0)
        .writeByte(2).writeByte('n').writeByte('1') // node id
        .writeByte(WireFormat.HELLO_FLAG_SHARED_SECRET) // flags
        .writeBytes(nonce)
        .writeByte(0); // no proof
    assertEquals(Arrays.toString(expected), Arrays.toString(frame));
  }

  @Test
  void encodedBytesAreStableForAHeartbeat() {
    byte[] frame = Frames.encode(new AppendEntries(N1, N2, 3, 10, 2, List.of(), 9, 5));
    byte[] expectedHeader = {
        0, 0, 0, 16 + 3 + 3 + 8 + 32 + 4, // length
        0x50, 0x4E, 3, WireFormat.TYPE_APPEND_ENTRIES, // magic, version, type
        0, 0, 0, 0, 0, 0, 0, 42, // cluster
        0, 0, 0, 0, // group
        2, 'n', '1', 2, 'n', '2'};
    assertEquals(Arrays.toString(expectedHeader), Arrays.toString(Arrays.copyOf(frame, expectedHeader.length)));
  }

  /** Version 3: a snapshot carries the joint halves and the addresses of its configuration. */
  @Test
  void installSnapshotCarriesAJointConfigurationWithAddresses() {
    ClusterConfig joint = new ClusterConfig(Set.of(N1, NodeId.of("n4")), Set.of(NodeId.of("n5")),
        Set.of(N1, N2, NodeId.of("n3")), Map.of(NodeId.of("n4"), "10.0.0.4:7000", NodeId.of("n5"), "raft-5:7000"));
    InstallSnapshot snapshot = new InstallSnapshot(N1, N2, 4, 100, 3, joint, 0, Bytes.ofUtf8("state"), true);
    EmbeddedChannel decoder = Frames.decoder();
    decoder.writeInbound(Frames.buf(Frames.encode(snapshot)));
    InstallSnapshot decoded = decoder.readInbound();
    assertEquals(snapshot, decoded);
    assertEquals(joint.outgoingVoters(), decoded.config().outgoingVoters());
    assertEquals(joint.addresses(), decoded.config().addresses());
  }

  @Test
  void installSnapshotWithAnUnreadableConfigurationClosesTheConnection() {
    InstallSnapshot snapshot = new InstallSnapshot(N1, N2, 4, 100, 3, ClusterConfig.ofVoters("n1", "n2"), 0,
        Bytes.ofUtf8("state"), true);
    int configTagAt = 4 + WireFormat.HEADER_SIZE + 3 + 3 + 8 + 8 + 8 + 4; // from, to, term, index, term, length
    byte[] frame = Frames.withInt(Frames.encode(snapshot), configTagAt, -9);
    EmbeddedChannel decoder = Frames.decoder();
    DecoderException e = assertThrows(DecoderException.class, () -> decoder.writeInbound(Frames.buf(frame)));
    assertInstanceOf(CorruptedFrameException.class, e);
    assertTrue(e.getMessage().contains("unknown cluster configuration encoding"), e.getMessage());
    assertNull(decoder.readInbound());
  }
}
