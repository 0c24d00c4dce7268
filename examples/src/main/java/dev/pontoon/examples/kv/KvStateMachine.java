package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated key-value map: put, delete and compare-and-set through the log, get through
 * {@link #query}. Commands and results are encoded with {@link KvCodec}.
 *
 * <p><b>Threading.</b> As the {@link StateMachine} contract says, the node calls every method
 * from its apply thread, one call at a time; the map needs no lock. <b>Errors.</b> A command
 * that does not decode, a missing key and a failed compare-and-set are answered as
 * {@link KvResult} values; nothing here throws from {@link #apply}, so a bad command cannot
 * stop the node. <b>Snapshots.</b> {@link #captureSnapshot()} copies the map (O(n) on the
 * apply thread) so that writing it may happen elsewhere while later commands apply.
 */
public final class KvStateMachine implements StateMachine {
  private static final int SNAPSHOT_MAGIC = 0x4b565331; // "KVS1"
  private final TreeMap<Bytes, Bytes> map = new TreeMap<>();

  @Override
  public Bytes apply(long index, Bytes command) {
    KvCommand decoded;
    try {
      decoded = KvCodec.decodeCommand(command);
    } catch (IllegalArgumentException e) {
      return KvCodec.encode(new KvResult.Invalid("command does not decode: " + e.getMessage()));
    }
    return KvCodec.encode(apply(index, decoded));
  }

  private KvResult apply(long index, KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      return new KvResult.Applied(index, map.put(put.key(), put.value()) != null);
    } else if (command instanceof KvCommand.Delete delete) {
      return new KvResult.Applied(index, map.remove(delete.key()) != null);
    }
    KvCommand.CompareAndSet cas = (KvCommand.CompareAndSet) command;
    Bytes current = map.get(cas.key());
    if (cas.from() == null ? current != null : !cas.from().equals(current)) {
      return current == null ? new KvResult.NotFound() : new KvResult.Mismatch(current);
    }
    map.put(cas.key(), cas.to());
    return new KvResult.Applied(index, current != null);
  }

  @Override
  public Bytes query(Bytes query) {
    Bytes key;
    try {
      key = KvCodec.decodeGet(query);
    } catch (IllegalArgumentException e) {
      return KvCodec.encode(new KvResult.Invalid("query does not decode: " + e.getMessage()));
    }
    Bytes value = map.get(key);
    return KvCodec.encode(value == null ? new KvResult.NotFound() : new KvResult.Value(value));
  }

  /** Number of keys held; for tests and status pages, from the apply thread only. */
  public int size() {
    return map.size();
  }

  @Override
  public SnapshotWriter captureSnapshot() {
    Map<Bytes, Bytes> copy = new TreeMap<>(map);
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(SNAPSHOT_MAGIC);
      data.writeInt(copy.size());
      for (Map.Entry<Bytes, Bytes> e : copy.entrySet()) {
        writeField(data, e.getKey());
        writeField(data, e.getValue());
      }
      data.flush();
    };
  }

  /** Replaces the map with a snapshot; on a malformed snapshot throws and keeps the old state. */
  @Override
  public void restoreSnapshot(InputStream snapshot) throws IOException {
    DataInputStream in = new DataInputStream(snapshot);
    try {
      int magic = in.readInt();
      if (magic != SNAPSHOT_MAGIC) {
        throw new IOException("not a KV snapshot: magic " + Integer.toHexString(magic));
      }
      int count = in.readInt();
      if (count < 0) {
        throw new IOException("negative entry count " + count + " in KV snapshot");
      }
      TreeMap<Bytes, Bytes> restored = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        restored.put(readField(in), readField(in));
      }
      if (in.read() != -1) {
        throw new IOException("trailing bytes after " + count + " entries in KV snapshot");
      }
      map.clear();
      map.putAll(restored);
    } catch (EOFException e) {
      throw new IOException("truncated KV snapshot", e);
    }
  }

  private static void writeField(DataOutputStream out, Bytes field) throws IOException {
    out.writeInt(field.size());
    out.write(field.toByteArray());
  }

  private static Bytes readField(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("negative field length " + length + " in KV snapshot");
    }
    // readNBytes grows its buffer as data arrives, so a lying length cannot allocate 2 GiB up front.
    byte[] data = in.readNBytes(length);
    if (data.length != length) {
      throw new EOFException("field of " + length + " bytes truncated to " + data.length);
    }
    return Bytes.wrap(data);
  }
}
