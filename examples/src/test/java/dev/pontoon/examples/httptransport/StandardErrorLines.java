package dev.pontoon.examples.httptransport;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The lines written to {@code System.err} while open, where the tests' slf4j-simple logs (it
 * looks the stream up on every line); they still reach the original stream.
 */
final class StandardErrorLines implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  StandardErrorLines() {
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

  List<String> containing(String text) {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(text)).toList();
    }
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
