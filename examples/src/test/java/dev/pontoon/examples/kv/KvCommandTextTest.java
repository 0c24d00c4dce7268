package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.log.Bytes;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The text form of KV commands, as {@code examples/HTTP-TRANSPORT.md} documents it. */
class KvCommandTextTest {
  private static Bytes b(String s) {
    return Bytes.ofUtf8(s);
  }

  /** The specification's own examples read as the writes they name, and are written back the same. */
  @Test
  void specificationCommandsParseAndFormatUnchanged() {
    Map<String, KvCommand> cases = Map.of(
        "PUT foo bar", new KvCommand.Put(b("foo"), b("bar")),
        "DELETE baz", new KvCommand.Delete(b("baz")),
        "CAS counter 1 2", new KvCommand.CompareAndSet(b("counter"), b("1"), b("2")),
        "CREATE lock me", new KvCommand.CompareAndSet(b("lock"), null, b("me")),
        "PUT city Zürich", new KvCommand.Put(b("city"), b("Zürich")));
    cases.forEach((text, command) -> {
      assertEquals(command, KvCommandText.parse(text), text);
      assertEquals(text, KvCommandText.format(command));
    });
  }

  /** Space, newline, '%' and every control character are %XX escapes; other text stays as it is. */
  @Test
  void spacesNewlinesPercentAndControlCharactersAreEscapedAsPercentHexHex() {
    assertEquals("PUT greeting hello%20world", KvCommandText.format(new KvCommand.Put(b("greeting"), b("hello world"))));
    assertEquals("PUT poem roses%0Aviolets%0D%0A%09end", KvCommandText.format(new KvCommand.Put(b("poem"),
        b("roses\nviolets\r\n\tend"))));
    assertEquals("PUT rate 100%25", KvCommandText.format(new KvCommand.Put(b("rate"), b("100%"))));
    assertEquals("DELETE %7F%00", KvCommandText.format(new KvCommand.Delete(b("\u007f\u0000"))));
    assertEquals("PUT bin %FF%C3", KvCommandText.format(new KvCommand.Put(b("bin"), Bytes.of(new byte[] {-1, -61}))),
        "bytes that are not UTF-8 are escaped");
    assertEquals(new KvCommand.Put(b("a b"), b("x%\n")), KvCommandText.parse("PUT a%20b x%25%0a"),
        "readers take either case");
  }

  @Test
  void malformedTextIsRefusedWithAMessageNamingTheProblem() {
    Map<String, String> cases = Map.of(
        "GET foo", "unknown command 'GET'",
        "put foo bar", "unknown command 'put'",
        "PUT foo", "PUT takes 2 words separated by one space (PUT <key> <value>), not 1",
        "PUT foo bar baz", "PUT takes 2 words",
        "PUT foo  bar", "PUT has an empty word",
        "DELETE ", "DELETE has an empty word",
        "PUT foo 100%", "'%' is not an escape",
        "PUT foo %zz", "'%zz' is not an escape",
        "PUT foo a\nb", "control character U+000A must be escaped as %0A");
    cases.forEach((text, message) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvCommandText.parse(text), text);
      assertEquals(true, e.getMessage().startsWith(message), e.getMessage());
    });
  }

  @Test
  void randomKeysAndValuesRoundTrip() {
    SplittableRandom random = new SplittableRandom(14);
    for (int i = 0; i < 20_000; i++) {
      KvCommand command = new KvCommand.CompareAndSet(randomWord(random), randomWord(random), randomWord(random));
      String text = KvCommandText.format(command);
      assertEquals(command, KvCommandText.parse(text), text);
      assertEquals(-1, text.indexOf('\n'), text);
    }
  }

  private static Bytes randomWord(SplittableRandom random) {
    byte[] data = new byte[1 + random.nextInt(6)];
    for (int j = 0; j < data.length; j++) {
      data[j] = (byte) (random.nextBoolean() ? " %\n\tab\u00e9".charAt(random.nextInt(7)) : random.nextInt(256));
    }
    return Bytes.wrap(data);
  }
}
