package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The stored form of the metadata records: a CRC32C of the body, then the body. Each record is
 * checked on read like an entry, so a damaged hard state is reported rather than trusted.
 */
final class MetaCodec {
  /**
   * Version of the on-disk layout, recorded with the identity. The hard state's trailing commit
   * index was added within version 1: both readers accept both records.
   */
  static final int FORMAT_VERSION = 1;

  /** Who a store belongs to. */
  record Identity(int formatVersion, String clusterId, NodeId nodeId) {
    @Override
    public String toString() {
      return "cluster '" + clusterId + "', node '" + nodeId + "'";
    }
  }

  /** Where the log starts after compaction, and the term of the entry just before. */
  record LogStart(long firstIndex, long prefixTerm) {}

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private MetaCodec() {}

  static byte[] identity(Identity identity) {
    return seal(out -> {
      out.writeInt(identity.formatVersion());
      out.writeUTF(identity.clusterId());
      out.writeUTF(identity.nodeId().value());
    });
  }

  static Identity identity(byte[] value, String where) {
    DataInputStream in = open(value, "identity", where);
    try {
      return new Identity(in.readInt(), in.readUTF(), NodeId.of(in.readUTF()));
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedLogException("the identity record in " + where + " does not decode: " + e.getMessage());
    }
  }

  static byte[] hardState(HardState state) {
    return seal(out -> {
      out.writeLong(state.currentTerm());
      out.writeBoolean(state.votedFor() != null);
      if (state.votedFor() != null) {
        out.writeUTF(state.votedFor().value());
      }
      // Added after format version 1 shipped, at the end of the body: an older reader ignores
      // it, and a record written before it ends here and reads as commit index 0 (see below).
      out.writeLong(state.commitIndex());
    });
  }

  static HardState hardState(byte[] value, String where) {
    DataInputStream in = open(value, "hard state", where);
    try {
      long term = in.readLong();
      NodeId vote = in.readBoolean() ? NodeId.of(in.readUTF()) : null;
      // A store written before the commit index was kept: nothing known committed (a hint, see HardState).
      long commitIndex = in.available() == 0 ? 0 : in.readLong();
      return new HardState(term, vote, commitIndex);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedLogException("the hard state record in " + where + " does not decode: " + e.getMessage());
    }
  }

  static byte[] logStart(LogStart start) {
    return seal(out -> {
      out.writeLong(start.firstIndex());
      out.writeLong(start.prefixTerm());
    });
  }

  static LogStart logStart(byte[] value, String where) {
    DataInputStream in = open(value, "log start", where);
    try {
      return new LogStart(in.readLong(), in.readLong());
    } catch (IOException e) {
      throw new CorruptedLogException("the log start record in " + where + " does not decode: " + e.getMessage());
    }
  }

  private static byte[] seal(Body body) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(0);
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] value = buffer.toByteArray();
    ByteBuffer.wrap(value).putInt(0, checksum(value));
    return value;
  }

  private static DataInputStream open(byte[] value, String record, String where) {
    if (value.length < 4 || ByteBuffer.wrap(value).getInt(0) != checksum(value)) {
      throw new CorruptedLogException("the " + record + " record in " + where + " failed its CRC32C check");
    }
    return new DataInputStream(new ByteArrayInputStream(value, 4, value.length - 4));
  }

  private static int checksum(byte[] value) {
    CRC32C crc = new CRC32C();
    crc.update(value, 4, value.length - 4);
    return (int) crc.getValue();
  }
}
