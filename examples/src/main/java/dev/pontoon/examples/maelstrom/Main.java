package dev.pontoon.examples.maelstrom;

import dev.pontoon.raft.engine.core.RaftConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link MaelstromNode} on stdin/stdout ({@code examples/bin/maelstrom-node}): one thread
 * reads lines into a queue; the main thread handles them and ticks the Raft clock every
 * {@value #TICK_MILLIS} ms. Logs go to stderr. Exits when stdin ends.
 */
public final class Main {
  static final long TICK_MILLIS = 50;
  private static final String END = new String("end of input");

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    // Election timeout 0.5 to 1 s, heartbeat every 100 ms.
    RaftConfig config = RaftConfig.defaults().withElectionTimeoutTicks(10, 20).withHeartbeatTicks(2);
    MaelstromNode node = new MaelstromNode(line -> {
      stdout.print(line);
      stdout.print('\n');
    }, config, System.nanoTime());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        System.err.println("stdin failed: " + e);
      }
      lines.add(END);
    }, "stdin-reader");
    reader.setDaemon(true);
    reader.start();
    long nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    while (true) {
      String line = lines.poll(Math.max(0, nextTick - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == END) {
        break;
      }
      if (line != null && !line.isBlank()) {
        node.handle(line);
      }
      if (System.nanoTime() >= nextTick) {
        node.tick();
        nextTick += TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
      }
      stdout.flush();
    }
    stdout.flush();
  }
}
