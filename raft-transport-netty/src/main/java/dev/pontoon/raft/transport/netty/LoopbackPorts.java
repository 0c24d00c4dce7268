package dev.pontoon.raft.transport.netty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on loopback for the members of a cluster on one host (tests, benchmarks, a
 * local demo), which must know each other's ports before any of them listens.
 *
 * <p>Two hazards make "a port that was free a moment ago" fail to bind, and each port given here
 * avoids both:
 *
 * <ul>
 *   <li>A port is never given twice in one JVM, so two members (or two tests) never draw the same
 *       one.
 *   <li>A port is outside the kernel's ephemeral range (on Linux read from {@code
 *       /proc/sys/net/ipv4/ip_local_port_range}; 32768–60999 where it cannot be read). A port from
 *       that range can be taken, before its member binds it, as the source port of any outgoing
 *       connection — of a started member connecting to that very port, even (a TCP self-connect)
 *       — and its socket then holds the port through TIME_WAIT. Source ports never come from
 *       outside the range.
 * </ul>
 *
 * Only where the ephemeral range leaves fewer than 1,000 ports on both sides of it (above 10000)
 * are ports drawn from the whole of [10000, 65535], keeping only the first guarantee.
 *
 * <p>Thread-safe. Not a reservation: another process may still bind a port before its member does.
 */
public final class LoopbackPorts {
  static final int LOWEST = 10_000;
  static final int HIGHEST = 65_535;
  static final int ENOUGH = 1_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final LoopbackPorts SHARED = new LoopbackPorts(range(readEphemeralRange()));

  private final int low;
  private final int high;
  private final Set<Integer> given = new HashSet<>();

  /** Ports from {@code [low, high]}, each at most once. */
  LoopbackPorts(int[] bounds) {
    this.low = bounds[0];
    this.high = bounds[1];
  }

  /**
   * {@code count} distinct loopback ports, free when chosen and never given before by this JVM.
   *
   * @throws IllegalStateException if no free port is left to give
   */
  public static List<Integer> take(int count) {
    return SHARED.draw(count);
  }

  /** One port, as {@link #take}. */
  public static int takeOne() {
    return take(1).get(0);
  }

  synchronized List<Integer> draw(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count " + count + " < 0");
    }
    List<Integer> ports = new ArrayList<>(count);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int span = high - low + 1;
    int tries = 0;
    while (ports.size() < count) {
      if (given.size() >= span || ++tries > 20 * span) {
        throw new IllegalStateException("no free loopback port left in [" + low + ", " + high + "]: "
            + given.size() + " given in this JVM");
      }
      int port = random.nextInt(low, high + 1);
      if (given.contains(port)) {
        continue;
      }
      if (free(port)) {
        given.add(port);
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  private static boolean free(int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (BindException taken) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot probe loopback port " + port, e);
    }
  }

  /**
   * The ports to draw from given the ephemeral range {@code [first, last]}: the larger side of it
   * if that leaves enough, else everything from {@link #LOWEST}.
   */
  static int[] range(int[] ephemeral) {
    int below = ephemeral[0] - LOWEST;
    int above = HIGHEST - ephemeral[1];
    if (Math.max(below, above) < ENOUGH) {
      return new int[] {LOWEST, HIGHEST};
    }
    return below >= above ? new int[] {LOWEST, ephemeral[0] - 1} : new int[] {ephemeral[1] + 1, HIGHEST};
  }

  private static int[] readEphemeralRange() {
    // Read by line: Files.readString trusts the size procfs reports (0) and returns one byte.
    try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      String[] fields = reader.readLine().trim().split("\\s+");
      int first = Integer.parseInt(fields[0]);
      int last = Integer.parseInt(fields[1]);
      if (first > 0 && first <= last && last <= HIGHEST) {
        return new int[] {first, last};
      }
    } catch (IOException | RuntimeException unreadable) {
      // not Linux, or a file of another shape: assume the Linux default
    }
    return new int[] {32_768, 60_999};
  }
}
