package dev.pontoon.examples.specpeer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for {@link SpecPeer}, by hand so that the peer shares no code with Pontoon:
 * objects become {@link Map}s, arrays {@link List}s, strings, integers as {@link Long}, booleans
 * and null. Malformed input is an {@link IllegalArgumentException}. Stateless; any thread.
 */
final class Json {
  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value, which must be all of {@code text} (blanks aside). */
  static Object read(String text) {
    Json parser = new Json(text);
    Object value = parser.value();
    parser.blanks();
    if (parser.at != text.length()) {
      throw new IllegalArgumentException("trailing characters at " + parser.at);
    }
    return value;
  }

  /** Writes maps, lists, strings, numbers, booleans and null as JSON. */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    return (Map<String, Object>) value;
  }

  /** A list; null (an absent field) is an empty list. */
  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List)) {
      throw new IllegalArgumentException("expected a JSON array");
    }
    return (List<Object>) value;
  }

  static long number(Map<String, Object> o, String name) {
    if (!(o.get(name) instanceof Long n) || n < 0) {
      throw new IllegalArgumentException("\"" + name + "\" must be an integer >= 0");
    }
    return n;
  }

  static String text(Map<String, Object> o, String name, String otherwise) {
    Object v = o.get(name);
    if (v == null) {
      if (otherwise == null) {
        throw new IllegalArgumentException("\"" + name + "\" is missing");
      }
      return otherwise;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("\"" + name + "\" must be a string");
    }
    return s;
  }

  private Object value() {
    blanks();
    if (at >= text.length()) {
      throw new IllegalArgumentException("unexpected end of JSON");
    }
    char c = text.charAt(at);
    switch (c) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        return readNumber();
    }
  }

  private Map<String, Object> readObject() {
    Map<String, Object> o = new LinkedHashMap<>();
    at++;
    blanks();
    if (peek() == '}') {
      at++;
      return o;
    }
    while (true) {
      blanks();
      if (peek() != '"') {
        throw new IllegalArgumentException("expected a field name at " + at);
      }
      String name = readString();
      blanks();
      expect(':');
      o.put(name, value());
      blanks();
      if (peek() == ',') {
        at++;
      } else {
        expect('}');
        return o;
      }
    }
  }

  private List<Object> readArray() {
    List<Object> list = new ArrayList<>();
    at++;
    blanks();
    if (peek() == ']') {
      at++;
      return list;
    }
    while (true) {
      list.add(value());
      blanks();
      if (peek() == ',') {
        at++;
      } else {
        expect(']');
        return list;
      }
    }
  }

  private String readString() {
    StringBuilder out = new StringBuilder();
    at++;
    while (true) {
      if (at >= text.length()) {
        throw new IllegalArgumentException("unterminated string");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = text.charAt(at++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
        }
        case '"', '\\', '/' -> out.append(e);
        default -> throw new IllegalArgumentException("bad escape \\" + e);
      }
    }
  }

  private Object readNumber() {
    int start = at;
    while (at < text.length() && "-+0123456789.eE".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
    String number = text.substring(start, at);
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an integer at " + start + ", found '" + number + "'");
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, at)) {
      throw new IllegalArgumentException("unexpected token at " + at);
    }
    at += word.length();
    return value;
  }

  private void blanks() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private char peek() {
    if (at >= text.length()) {
      throw new IllegalArgumentException("unexpected end of JSON");
    }
    return text.charAt(at);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + at);
    }
    at++;
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null || value instanceof Boolean || value instanceof Long || value instanceof Integer) {
      out.append(value);
    } else if (value instanceof String s) {
      out.append('"');
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        write(String.valueOf(e.getKey()), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        write(list.get(i), out);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass());
    }
  }
}
