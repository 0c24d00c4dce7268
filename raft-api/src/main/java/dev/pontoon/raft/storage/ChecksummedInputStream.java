package dev.pontoon.raft.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Reads exactly {@code size} bytes from a stream and checks, when they are all read, that their
 * CRC32C equals the expected one: a short stream or a mismatch throws {@link IOException} from
 * {@code read}, so a consumer restoring a snapshot never finishes on damaged bytes. For
 * {@link SnapshotStore.StoredSnapshot#open()} implementations.
 *
 * <p>Not thread-safe. {@code skip} reads (and checks) what it skips.
 */
public final class ChecksummedInputStream extends FilterInputStream {

  private final long size;
  private final int expected;
  private final String what;
  private final CRC32C crc = new CRC32C();
  private long read;
  private boolean checked;

  /**
   * @param in the bytes, at least {@code size} of them
   * @param size how many bytes the snapshot holds
   * @param expected their CRC32C
   * @param what names the snapshot in error messages
   */
  public ChecksummedInputStream(InputStream in, long size, int expected, String what) {
    super(in);
    this.size = size;
    this.expected = expected;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    long left = size - read;
    if (left == 0) {
      check();
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new IOException(what + " is truncated: " + read + " of " + size + " bytes");
    }
    crc.update(b, off, n);
    read += n;
    if (read == size) {
      check();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), size - read);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void check() throws IOException {
    if (checked) {
      return;
    }
    int actual = (int) crc.getValue();
    if (actual != expected) {
      throw new IOException(what + " failed its CRC32C check (stored " + Integer.toHexString(expected)
          + ", computed " + Integer.toHexString(actual) + ")");
    }
    checked = true;
  }
}
