package dev.pontoon.raft.storage.rocksdb;

import java.nio.charset.StandardCharsets;

/**
 * Keys of the two column families. Entry keys are the index as 8 big-endian bytes, so that
 * RocksDB's bytewise order is index order and appends are sequential writes.
 */
final class Keys {
  /** Exclusive upper bound above every entry key: indexes are non-negative longs. */
  static final byte[] AFTER_LAST_ENTRY = {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0};

  static final byte[] IDENTITY = ascii("identity");
  static final byte[] HARD_STATE = ascii("hard-state");
  static final byte[] LOG_START = ascii("log-start");

  private Keys() {}

  static byte[] entry(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("index (" + index + ") must be >= 0");
    }
    byte[] key = new byte[8];
    for (int i = 7; i >= 0; i--) {
      key[i] = (byte) index;
      index >>>= 8;
    }
    return key;
  }

  /** The index of an entry key; -1 when the key is not 8 bytes long. */
  static long index(byte[] key) {
    if (key.length != 8) {
      return -1;
    }
    long index = 0;
    for (byte b : key) {
      index = (index << 8) | (b & 0xff);
    }
    return index;
  }

  private static byte[] ascii(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }
}
