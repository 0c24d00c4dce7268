package dev.pontoon.raft.storage.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The records of a segment file as the replay would see them, for tests that damage or extend a
 * file at a chosen record. Reads the file directly, never through the store.
 */
final class SegmentImage {
  /** One sound record: where it is, its type, and the stamp the records after it must carry. */
  record Found(int offset, int length, byte type, long stampAfter) {}

  final Path file;
  final List<Found> records = new ArrayList<>();
  /** The offset after the last sound record. */
  int end;

  private SegmentImage(Path file) {
    this.file = file;
  }

  static SegmentImage read(Path file) throws IOException {
    SegmentImage image = new SegmentImage(file);
    byte[] data = Files.readAllBytes(file);
    CRC32C crc = new CRC32C();
    long stamp = Records.stamp(data, 0);
    int at = 0;
    while (true) {
      int length = Records.soundLength(data, at, data.length, stamp, crc);
      if (length < 0) {
        break;
      }
      byte type = Records.type(data, at);
      if (type == Records.REOPEN) {
        stamp = Records.body(data, at, length).getLong();
      }
      image.records.add(new Found(at, length, type, stamp));
      at += length;
    }
    image.end = at;
    return image;
  }

  /** The segment files of {@code dir}, oldest first. */
  static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("segment-")).sorted().toList();
    }
  }

  /** The record of entry {@code index} (counting entry records from the segment's first index). */
  Found entry(long index) {
    for (Found found : records) {
      if ((found.type() == Records.ENTRY || found.type() == Records.ENTRY_CONTINUED)
          && Records.body(bytes(), found.offset(), found.length()).getLong() == index) {
        return found;
      }
    }
    throw new AssertionError("no record of entry " + index + " in " + file);
  }

  private byte[] bytes() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Flips the bits of one byte at {@code offset}. */
  static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      one.put(0, (byte) ~one.get(0)).rewind();
      channel.write(one, offset);
    }
  }

  /** Writes {@code data} at {@code offset}. */
  static void write(Path file, long offset, ByteBuffer data) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(data, offset);
    }
  }
}
