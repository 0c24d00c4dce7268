package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bad input is part of the contract: 100,000 generated and mutated requests against the HTTP
 * pipeline. Every request read whole gets an answer below 500, and nothing throws out of the
 * pipeline; a request cut short leaves the connection waiting for its remaining bytes, and it
 * closes cleanly.
 */
class KvHttpFuzzTest {
  private static final long SEED = 20261125L;
  private static final int REQUESTS = 100_000;
  private static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "G\u00e9T", "X"};
  private static final String[] PATHS = {"/kv/", "/kv/k", "/kv/k/cas", "/log", "/log?from=", "/status", "/", "//kv//",
      "/kv/%", "/kv/%e2%82", "/kv/a%2Fb", "/kv/\u00fc", "/kv/k/cas/x", "/status?x=%%", "*", "http://x/kv/a"};
  private static final String[] BODIES = {"", "v", "{\"from\":\"a\",\"to\":\"b\"}", "{\"from\":null,\"to\":\"b\"}",
      "{\"from\":1,\"to\":true}", "{\"from\":[],\"to\":{}}", "{", "null", "\"s\"", "{\"to\":\"b\"}", "\u0000\u00ff",
      "{\"from\":\"a\",\"to\":\"\"}", "0123456789abcdefXYZ"};

  @Test
  void randomAndMutatedRequestsGetOnlyNon5xxAnswersAndNeverCrashThePipeline() {
    SplittableRandom random = new SplittableRandom(SEED);
    FakeRaftNode node = new FakeRaftNode();
    KvHttpConfig config = KvHttpConfig.defaults().withMaxValueBytes(16).withMaxKeyBytes(8);
    int answered = 0;
    for (int i = 0; i < REQUESTS; i++) {
      byte[] request = generate(random);
      boolean mutated = random.nextInt(3) == 0;
      if (mutated) {
        request = mutate(random, request);
      }
      HttpExchange http = new HttpExchange(node, config);
      String answer;
      try {
        answer = http.send(request);
        http.channel.finishAndReleaseAll();
      } catch (RuntimeException e) {
        throw new AssertionError("request " + i + " (seed " + SEED + ") crashed the pipeline: "
            + new String(request, StandardCharsets.ISO_8859_1), e);
      }
      if (answer.isEmpty()) {
        if (!mutated) {
          fail("request " + i + " (seed " + SEED + ") got no answer: " + new String(request, StandardCharsets.ISO_8859_1));
        }
        continue;
      }
      answered++;
      int status = HttpExchange.status(answer);
      if (status >= 500) {
        fail("request " + i + " answered " + status + ": " + new String(request, StandardCharsets.ISO_8859_1) + "\n" + answer);
      }
    }
    assertTrue(answered > REQUESTS * 0.8, answered + " of " + REQUESTS + " answered");
  }

  private static byte[] generate(SplittableRandom random) {
    String method = pick(random, METHODS);
    String path = pick(random, PATHS) + (random.nextBoolean() ? "" : randomText(random, random.nextInt(12)));
    String body = random.nextInt(4) == 0 ? randomText(random, random.nextInt(40)) : pick(random, BODIES);
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: fuzz\r\n");
    switch (random.nextInt(5)) {
      case 0 -> head.append("Connection: close\r\n");
      case 1 -> head.append("Content-Type: application/json\r\n");
      case 2 -> head.append("X-").append(randomText(random, 5).replace(':', '_').replaceAll("\\s", "_")).append(": y\r\n");
      default -> { }
    }
    head.append("Content-Length: ").append(bodyBytes.length).append("\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[headBytes.length + bodyBytes.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    return all;
  }

  private static byte[] mutate(SplittableRandom random, byte[] request) {
    byte[] out = request.clone();
    int flips = 1 + random.nextInt(4);
    for (int f = 0; f < flips; f++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(3)) {
        case 0 -> out[at] = (byte) random.nextInt(256);
        case 1 -> out = java.util.Arrays.copyOf(out, Math.max(1, at)); // cut short
        default -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = (byte) "\r\n:% {}\"\u0000".charAt(random.nextInt(9));
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  private static String randomText(SplittableRandom random, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x20, 0x3000) : (char) random.nextInt(0x21, 0x7f));
    }
    return sb.toString();
  }

  private static String pick(SplittableRandom random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
