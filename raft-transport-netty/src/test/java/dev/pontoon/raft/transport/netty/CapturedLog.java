package dev.pontoon.raft.transport.netty;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The log lines written while it is open. The tests log through slf4j-simple, which looks {@code
 * System.err} up on every line (at the level of {@code simplelogger.properties}: INFO and above),
 * so swapping the stream sees every line of every thread; the lines still reach the original
 * stream. Not for tests that run in parallel.
 */
final class CapturedLog implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  CapturedLog() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (captured) {
          captured.write(bytes, offset, length);
        }
        original.write(bytes, offset, length);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** The lines so far in which {@code pattern} is found. */
  List<String> lines(Pattern pattern) {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return text.lines().filter(line -> pattern.matcher(line).find()).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
