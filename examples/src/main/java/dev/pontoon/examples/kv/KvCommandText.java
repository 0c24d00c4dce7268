package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The text form of a {@link KvCommand}, as the HTTP/JSON Raft specification writes commands
 * ({@code "command": "PUT foo bar"}). It is what the KV node puts in its log, what travels in
 * AppendEntries, and what {@code GET /log} shows.
 *
 * <pre>
 * command := "PUT" SP key SP value        sets key to value
 *          | "DELETE" SP key              removes key (a missing key is not an error)
 *          | "CAS" SP key SP from SP to   sets key to to only if its value is from
 *          | "CREATE" SP key SP value     sets key to value only if it has no value
 *                                         (the compare-and-set that expects absence)
 * word    := 1*( escape | any character but "%", space and the control characters )
 * escape  := "%" HEX HEX                  one byte of the word's UTF-8, e.g. %20 space, %0A newline
 * </pre>
 *
 * <p>Words are separated by exactly one space (SP, U+0020); the verbs are upper case. A key or
 * value is never empty. A word is its bytes in UTF-8, where {@code %}, space and every control
 * character (U+0000 to U+001F and U+007F: newline, carriage return, tab …) are written as
 * {@code %XX}, the byte in two hexadecimal digits: {@code PUT greeting hello%20world},
 * {@code PUT poem roses%0Aviolets}, {@code PUT rate 100%25}. Bytes that are not valid UTF-8 are
 * escaped the same way. Readers accept {@code %XX} for any byte, in either case; writers here use
 * upper case and escape only what they must, so {@code format(parse(text))} gives back the
 * canonical spelling.
 *
 * <p>Parsing never trusts its input: a wrong verb, a wrong number of words, an empty word or a
 * bad escape give an {@link IllegalArgumentException} that names the problem. Stateless;
 * thread-safe.
 */
public final class KvCommandText {
  private static final String HEX = "0123456789ABCDEF";

  private KvCommandText() {}

  /** The canonical text of {@code command}, such as {@code PUT foo bar}. */
  public static String format(KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      return "PUT " + word(put.key()) + " " + word(put.value());
    } else if (command instanceof KvCommand.Delete delete) {
      return "DELETE " + word(delete.key());
    }
    KvCommand.CompareAndSet cas = (KvCommand.CompareAndSet) command;
    return cas.from() == null ? "CREATE " + word(cas.key()) + " " + word(cas.to())
        : "CAS " + word(cas.key()) + " " + word(cas.from()) + " " + word(cas.to());
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static KvCommand parse(String text) {
    List<String> words = List.of(text.split(" ", -1));
    String verb = words.get(0);
    int arguments = switch (verb) {
      case "PUT", "CREATE" -> 2;
      case "DELETE" -> 1;
      case "CAS" -> 3;
      default -> throw new IllegalArgumentException("unknown command '" + abbreviate(verb)
          + "'; expected PUT <key> <value>, DELETE <key>, CAS <key> <from> <to> or CREATE <key> <value>");
    };
    if (words.subList(1, words.size()).contains("")) {
      throw new IllegalArgumentException(verb + " has an empty word: words are separated by exactly one space "
          + "and a key or value is never empty (" + usage(verb) + ")");
    }
    if (words.size() != arguments + 1) {
      throw new IllegalArgumentException(verb + " takes " + arguments + (arguments == 1 ? " word" : " words")
          + " separated by one space (" + usage(verb) + "), not " + (words.size() - 1) + ": '" + abbreviate(text) + "'");
    }
    Bytes[] w = new Bytes[arguments];
    for (int i = 0; i < arguments; i++) {
      w[i] = unescape(words.get(i + 1));
    }
    return switch (verb) {
      case "PUT" -> new KvCommand.Put(w[0], w[1]);
      case "CREATE" -> new KvCommand.CompareAndSet(w[0], null, w[1]);
      case "DELETE" -> new KvCommand.Delete(w[0]);
      default -> new KvCommand.CompareAndSet(w[0], w[1], w[2]);
    };
  }

  /**
   * Parses the text form from a log entry's payload.
   *
   * @throws IllegalArgumentException if the payload is not UTF-8 or not a command
   */
  static KvCommand parse(Bytes payload) {
    try {
      return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(payload.asReadOnlyByteBuffer()).toString());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("command is not UTF-8 text");
    }
  }

  private static String usage(String verb) {
    return switch (verb) {
      case "PUT" -> "PUT <key> <value>";
      case "CREATE" -> "CREATE <key> <value>";
      case "DELETE" -> "DELETE <key>";
      default -> "CAS <key> <from> <to>";
    };
  }

  /** One key or value, escaped: '%', space and control characters, and bytes that are not UTF-8. */
  static String word(Bytes bytes) {
    byte[] data = bytes.toByteArray();
    boolean utf8 = isUtf8(data);
    StringBuilder out = new StringBuilder(data.length + 8);
    int i = 0;
    while (i < data.length) {
      int b = data[i] & 0xff;
      if (b >= 0x80 && utf8) {
        int length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        out.append(new String(data, i, length, StandardCharsets.UTF_8));
        i += length;
        continue;
      }
      if (b >= 0x80 || b <= 0x20 || b == 0x7f || b == '%') {
        out.append('%').append(HEX.charAt(b >> 4)).append(HEX.charAt(b & 0xf));
      } else {
        out.append((char) b);
      }
      i++;
    }
    return out.toString();
  }

  private static Bytes unescape(String word) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(word.length());
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '%') {
        int high = i + 2 < word.length() ? Character.digit(word.charAt(i + 1), 16) : -1;
        int low = high >= 0 ? Character.digit(word.charAt(i + 2), 16) : -1;
        if (low < 0) {
          throw new IllegalArgumentException("'" + abbreviate(word.substring(i)) + "' is not an escape: '%' must be "
              + "followed by two hexadecimal digits (write a '%' itself as %25)");
        }
        out.write(high << 4 | low);
        i += 2;
      } else if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("control character U+" + String.format("%04X", (int) c)
            + " must be escaped as %" + HEX.charAt(c >> 4) + HEX.charAt(c & 0xf));
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < word.length() ? i + 2 : i + 1;
        out.writeBytes(word.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    return Bytes.wrap(out.toByteArray());
  }

  private static boolean isUtf8(byte[] data) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }
}
