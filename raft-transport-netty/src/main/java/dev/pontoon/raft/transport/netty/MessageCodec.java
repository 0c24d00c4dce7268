package dev.pontoon.raft.transport.netty;

import static dev.pontoon.raft.transport.netty.WireFormat.FLAG_0;
import static dev.pontoon.raft.transport.netty.WireFormat.FLAG_1;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps frame bodies to messages and back: one encoder and one decoder per message type of the
 * sealed {@link RaftMessage} family, plus the handshake's {@link Hello} and {@link HelloProof}.
 * Stateless.
 *
 * <p>Decoding trusts nothing: every length and count is checked against the bytes that remain
 * before anything is allocated, unknown flag bits and entry kinds are refused, and a value the
 * message records reject (a negative term, non-consecutive indexes) becomes a {@link
 * CorruptedFrameException}. Payloads are copied once, into an array handed to {@link Bytes#wrap}.
 */
final class MessageCodec {
  private MessageCodec() {}

  /** The wire type of {@code message}, a {@link RaftMessage} or a {@link Hello}. */
  static byte typeOf(Object message) {
    if (message instanceof RequestVote) {
      return WireFormat.TYPE_REQUEST_VOTE;
    } else if (message instanceof RequestVoteResponse) {
      return WireFormat.TYPE_REQUEST_VOTE_RESPONSE;
    } else if (message instanceof AppendEntries) {
      return WireFormat.TYPE_APPEND_ENTRIES;
    } else if (message instanceof AppendEntriesResponse) {
      return WireFormat.TYPE_APPEND_ENTRIES_RESPONSE;
    } else if (message instanceof InstallSnapshot) {
      return WireFormat.TYPE_INSTALL_SNAPSHOT;
    } else if (message instanceof InstallSnapshotResponse) {
      return WireFormat.TYPE_INSTALL_SNAPSHOT_RESPONSE;
    } else if (message instanceof TimeoutNow) {
      return WireFormat.TYPE_TIMEOUT_NOW;
    } else if (message instanceof Hello) {
      return WireFormat.TYPE_HELLO;
    } else if (message instanceof HelloProof) {
      return WireFormat.TYPE_HELLO_PROOF;
    }
    throw new IllegalArgumentException("no wire type for " + message.getClass().getName());
  }

  /** Exact number of body bytes {@link #encode} writes for {@code message}. */
  static int bodySize(Object message) {
    if (message instanceof Hello h) {
      return idSize(h.nodeId()) + 1 + WireFormat.NONCE_SIZE + 1 + h.proof().size();
    }
    if (message instanceof HelloProof) {
      return WireFormat.PROOF_SIZE;
    }
    RaftMessage m = (RaftMessage) message;
    int common = idSize(m.from()) + idSize(m.to()) + 8;
    if (m instanceof RequestVote) {
      return common + 8 + 8 + 1;
    } else if (m instanceof RequestVoteResponse) {
      return common + 1;
    } else if (m instanceof AppendEntries a) {
      long size = common + 8L * 4 + 4;
      for (LogEntry e : a.entries()) {
        size += WireFormat.MIN_ENTRY_SIZE + e.payload().size();
      }
      return (int) Math.min(size, Integer.MAX_VALUE);
    } else if (m instanceof AppendEntriesResponse) {
      return common + 1 + 8 * 4;
    } else if (m instanceof InstallSnapshot s) {
      long size = common + 8 + 8 + 4L + s.config().toBytes().size() + 8 + 4L + s.data().size() + 1;
      return (int) Math.min(size, Integer.MAX_VALUE);
    } else if (m instanceof InstallSnapshotResponse) {
      return common + 8 + 8 + 1;
    }
    return common; // TimeoutNow
  }

  /** Writes the body of {@code message}, a {@link RaftMessage} or a {@link Hello}. */
  static void encode(Object message, FrameOutput out) {
    if (message instanceof Hello h) {
      ByteBuf buf = out.fields();
      writeId(buf, h.nodeId());
      buf.writeByte(h.sharedSecret() ? WireFormat.HELLO_FLAG_SHARED_SECRET : 0);
      buf.writeBytes(h.nonce().asReadOnlyByteBuffer());
      buf.writeByte(h.proof().size()).writeBytes(h.proof().asReadOnlyByteBuffer());
      return;
    }
    if (message instanceof HelloProof p) {
      out.fields().writeBytes(p.proof().asReadOnlyByteBuffer());
      return;
    }
    RaftMessage m = (RaftMessage) message;
    ByteBuf buf = out.fields();
    writeId(buf, m.from());
    writeId(buf, m.to());
    buf.writeLong(m.term());
    if (m instanceof RequestVote v) {
      buf.writeLong(v.lastLogIndex()).writeLong(v.lastLogTerm());
      buf.writeByte(flags(v.preVote(), v.leadershipTransfer()));
    } else if (m instanceof RequestVoteResponse r) {
      buf.writeByte(flags(r.voteGranted(), r.preVote()));
    } else if (m instanceof AppendEntries a) {
      encodeAppendEntries(a, out);
    } else if (m instanceof AppendEntriesResponse r) {
      buf.writeByte(flags(r.success(), false));
      buf.writeLong(r.matchIndex()).writeLong(r.conflictTerm()).writeLong(r.conflictIndex()).writeLong(r.sequence());
    } else if (m instanceof InstallSnapshot s) {
      buf.writeLong(s.lastIncludedIndex()).writeLong(s.lastIncludedTerm());
      // The whole configuration (joint halves and addresses) in its own versioned encoding.
      Bytes config = s.config().toBytes();
      buf.writeInt(config.size()).writeBytes(config.asReadOnlyByteBuffer());
      buf.writeLong(s.offset());
      out.writePayload(s.data());
      out.fields().writeByte(flags(s.done(), false));
    } else if (m instanceof InstallSnapshotResponse r) {
      buf.writeLong(r.lastIncludedIndex()).writeLong(r.nextOffset()).writeByte(flags(r.success(), false));
    } else if (!(m instanceof TimeoutNow)) {
      throw new IllegalArgumentException("no encoder for " + m.getClass().getName());
    }
  }

  /** Entry indexes are not sent: they follow from {@code prevLogIndex}, consecutive by contract. */
  private static void encodeAppendEntries(AppendEntries a, FrameOutput out) {
    ByteBuf buf = out.fields();
    buf.writeLong(a.prevLogIndex()).writeLong(a.prevLogTerm()).writeLong(a.leaderCommit()).writeLong(a.sequence());
    buf.writeInt(a.entries().size());
    for (LogEntry e : a.entries()) {
      out.fields().writeLong(e.term()).writeByte(e.kind().code());
      out.writePayload(e.payload());
    }
  }

  /**
   * Reads one body of wire type {@code type}. The caller checks that nothing remains afterwards.
   *
   * @throws CorruptedFrameException if the body is not a valid message of that type
   */
  static Object decode(byte type, long clusterId, ByteBuf body) {
    try {
      return decodeChecked(type, clusterId, body);
    } catch (IndexOutOfBoundsException e) {
      throw new CorruptedFrameException("truncated body of message type " + type, e);
    } catch (IllegalArgumentException e) {
      throw new CorruptedFrameException("invalid message of type " + type + ": " + e.getMessage(), e);
    }
  }

  private static Object decodeChecked(byte type, long clusterId, ByteBuf in) {
    if (type == WireFormat.TYPE_HELLO) {
      return decodeHello(clusterId, in);
    }
    if (type == WireFormat.TYPE_HELLO_PROOF) {
      return new HelloProof(readFixed(in, WireFormat.PROOF_SIZE));
    }
    NodeId from = readId(in);
    NodeId to = readId(in);
    long term = in.readLong();
    switch (type) {
      case WireFormat.TYPE_REQUEST_VOTE: {
        long lastLogIndex = in.readLong();
        long lastLogTerm = in.readLong();
        int flags = readFlags(in);
        return new RequestVote(from, to, term, lastLogIndex, lastLogTerm, (flags & FLAG_0) != 0, (flags & FLAG_1) != 0);
      }
      case WireFormat.TYPE_REQUEST_VOTE_RESPONSE: {
        int flags = readFlags(in);
        return new RequestVoteResponse(from, to, term, (flags & FLAG_0) != 0, (flags & FLAG_1) != 0);
      }
      case WireFormat.TYPE_APPEND_ENTRIES:
        return decodeAppendEntries(from, to, term, in);
      case WireFormat.TYPE_APPEND_ENTRIES_RESPONSE: {
        boolean success = readSingleFlag(in);
        return new AppendEntriesResponse(from, to, term, success, in.readLong(), in.readLong(), in.readLong(),
            in.readLong());
      }
      case WireFormat.TYPE_INSTALL_SNAPSHOT:
        return decodeInstallSnapshot(from, to, term, in);
      case WireFormat.TYPE_INSTALL_SNAPSHOT_RESPONSE: {
        long lastIncludedIndex = in.readLong();
        long nextOffset = in.readLong();
        return new InstallSnapshotResponse(from, to, term, lastIncludedIndex, nextOffset, readSingleFlag(in));
      }
      case WireFormat.TYPE_TIMEOUT_NOW:
        return new TimeoutNow(from, to, term);
      default:
        throw new UnknownMessageTypeException(type);
    }
  }

  private static Hello decodeHello(long clusterId, ByteBuf in) {
    NodeId node = readId(in);
    int flags = in.readUnsignedByte();
    if ((flags & ~WireFormat.HELLO_FLAG_SHARED_SECRET) != 0) {
      throw new CorruptedFrameException("unknown Hello flag bits 0x" + Integer.toHexString(flags));
    }
    Bytes nonce = readFixed(in, WireFormat.NONCE_SIZE);
    int proofLength = in.readUnsignedByte();
    if (proofLength != 0 && proofLength != WireFormat.PROOF_SIZE) {
      throw new CorruptedFrameException("Hello proof of " + proofLength + " bytes, not 0 or " + WireFormat.PROOF_SIZE);
    }
    Bytes proof = proofLength == 0 ? Bytes.EMPTY : readFixed(in, proofLength);
    return new Hello(clusterId, node, flags != 0, nonce, proof);
  }

  /** Exactly {@code length} bytes; the caller has checked that {@code length} is a small constant. */
  private static Bytes readFixed(ByteBuf in, int length) {
    if (length > in.readableBytes()) {
      throw new CorruptedFrameException(length + " bytes expected, " + in.readableBytes() + " left");
    }
    byte[] data = new byte[length];
    in.readBytes(data);
    return Bytes.wrap(data);
  }

  private static AppendEntries decodeAppendEntries(NodeId from, NodeId to, long term, ByteBuf in) {
    long prevLogIndex = in.readLong();
    long prevLogTerm = in.readLong();
    long leaderCommit = in.readLong();
    long sequence = in.readLong();
    int count = readCount(in, WireFormat.MIN_ENTRY_SIZE, "entry count");
    if (count > 0 && prevLogIndex > Long.MAX_VALUE - count) {
      throw new CorruptedFrameException("entry indexes overflow: prevLogIndex " + prevLogIndex + " + " + count);
    }
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long entryTerm = in.readLong();
      EntryKind kind = readKind(in);
      entries.add(new LogEntry(prevLogIndex + 1 + i, entryTerm, kind, readPayload(in)));
    }
    return new AppendEntries(from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit, sequence);
  }

  private static InstallSnapshot decodeInstallSnapshot(NodeId from, NodeId to, long term, ByteBuf in) {
    long lastIncludedIndex = in.readLong();
    long lastIncludedTerm = in.readLong();
    // fromBytes refuses a malformed or later-version configuration with IllegalArgumentException,
    // which decode turns into a CorruptedFrameException.
    ClusterConfig config = ClusterConfig.fromBytes(readPayload(in));
    long offset = in.readLong();
    Bytes data = readPayload(in);
    boolean done = readSingleFlag(in);
    return new InstallSnapshot(from, to, term, lastIncludedIndex, lastIncludedTerm, config, offset, data, done);
  }

  private static int flags(boolean bit0, boolean bit1) {
    return (bit0 ? FLAG_0 : 0) | (bit1 ? FLAG_1 : 0);
  }

  private static int readFlags(ByteBuf in) {
    int flags = in.readUnsignedByte();
    if ((flags & ~(FLAG_0 | FLAG_1)) != 0) {
      throw new CorruptedFrameException("unknown flag bits 0x" + Integer.toHexString(flags));
    }
    return flags;
  }

  private static boolean readSingleFlag(ByteBuf in) {
    int flags = in.readUnsignedByte();
    if ((flags & ~FLAG_0) != 0) {
      throw new CorruptedFrameException("unknown flag bits 0x" + Integer.toHexString(flags));
    }
    return flags != 0;
  }

  /** Entry kinds travel as {@link EntryKind#code()}, the same byte as on disk, never as ordinals. */
  private static EntryKind readKind(ByteBuf in) {
    int code = in.readUnsignedByte();
    EntryKind kind = EntryKind.ofCode(code);
    if (kind == null) {
      throw new CorruptedFrameException("unknown entry kind " + code);
    }
    return kind;
  }

  /** Reads a count and checks, before anything is allocated, that that many items can still fit. */
  private static int readCount(ByteBuf in, int minItemSize, String what) {
    int count = in.readInt();
    if (count < 0) {
      throw new CorruptedFrameException(what + " is negative: " + count);
    }
    if (count > in.readableBytes() / minItemSize) {
      throw new CorruptedFrameException(what + " " + count + " exceeds the " + in.readableBytes() + " bytes left");
    }
    return count;
  }

  private static Bytes readPayload(ByteBuf in) {
    int length = in.readInt();
    if (length < 0) {
      throw new CorruptedFrameException("payload length is negative: " + length);
    }
    if (length > in.readableBytes()) {
      throw new CorruptedFrameException("payload length " + length + " exceeds the " + in.readableBytes()
          + " bytes left");
    }
    if (length == 0) {
      return Bytes.EMPTY;
    }
    byte[] data = new byte[length];
    in.readBytes(data);
    return Bytes.wrap(data);
  }

  private static int idSize(NodeId id) {
    return 1 + ByteBufUtil.utf8Bytes(id.value());
  }


  private static void writeId(ByteBuf buf, NodeId id) {
    int lengthAt = buf.writerIndex();
    buf.writeByte(0);
    int written = ByteBufUtil.writeUtf8(buf, id.value());
    buf.setByte(lengthAt, written);
  }


  private static NodeId readId(ByteBuf in) {
    int length = in.readUnsignedByte();
    if (length == 0) {
      throw new CorruptedFrameException("node id is empty");
    }
    if (length > in.readableBytes()) {
      throw new CorruptedFrameException("node id length " + length + " exceeds the " + in.readableBytes()
          + " bytes left");
    }
    String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
    in.skipBytes(length);
    return new NodeId(value);
  }

}
