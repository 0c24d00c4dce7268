package dev.pontoon.raft.engine.linearizability;

import java.util.Objects;

/**
 * The model of a key-value map of text to text, with put, get, delete and compare-and-set, each
 * on one key — the model of Pontoon's KV service, its Maelstrom {@code lin-kv} node and its
 * simulator. Partitioned by key; the state of a partition is the key's value, {@code null} when
 * absent.
 *
 * <p>Outputs are text: a {@link Get} answers the value ({@code null}: absent); a {@link
 * CompareAndSet} answers {@code "true"} when it swapped and {@code "false"} when it did not; the
 * output of a {@link Put} or a {@link Delete} is not checked (record whatever the service said).
 *
 * <p>Stateless and immutable; one instance may serve any number of checks.
 */
public final class KvModel implements Model<String, KvModel.Input, String> {

  /** An operation on one key. */
  public sealed interface Input permits Put, Get, Delete, CompareAndSet {
    /** The key this operation reads or writes. */
    String key();

    /** Whether the operation may change the state. */
    default boolean isWrite() {
      return !(this instanceof Get);
    }
  }

  /** Sets {@code key} to {@code value}. */
  public record Put(String key, String value) implements Input {
    /** @throws NullPointerException if an argument is null */
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "put " + key + "=" + value;
    }
  }

  /** Reads {@code key}. */
  public record Get(String key) implements Input {
    /** @throws NullPointerException if {@code key} is null */
    public Get {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "get " + key;
    }
  }

  /** Removes {@code key}; removing an absent key is not an error. */
  public record Delete(String key) implements Input {
    /** @throws NullPointerException if {@code key} is null */
    public Delete {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "delete " + key;
    }
  }

  /**
   * Sets {@code key} to {@code value} only if its value equals {@code expected}.
   *
   * @param expected the value required, or {@code null} to require that the key is absent
   */
  public record CompareAndSet(String key, String expected, String value) implements Input {
    /** @throws NullPointerException if {@code key} or {@code value} is null */
    public CompareAndSet {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "cas " + key + " " + (expected == null ? "(absent)" : expected) + "->" + value;
    }
  }

  /** The output of a compare-and-set that swapped. */
  public static final String SWAPPED = "true";
  /** The output of a compare-and-set that did not swap. */
  public static final String NOT_SWAPPED = "false";

  @Override
  public String init() {
    return null;
  }

  @Override
  public Step<String> step(String value, Input input, String output) {
    if (input instanceof Put put) {
      return Step.to(put.value());
    } else if (input instanceof Delete) {
      return Step.to(null);
    } else if (input instanceof Get) {
      return Objects.equals(value, output) ? Step.to(value) : Step.illegal();
    }
    CompareAndSet cas = (CompareAndSet) input;
    boolean swaps = Objects.equals(value, cas.expected());
    if (!(swaps ? SWAPPED : NOT_SWAPPED).equals(output)) {
      return Step.illegal();
    }
    return Step.to(swaps ? cas.value() : value);
  }

  @Override
  public String stepUnknown(String value, Input input) {
    if (input instanceof Put put) {
      return put.value();
    } else if (input instanceof Delete) {
      return null;
    } else if (input instanceof CompareAndSet cas) {
      return Objects.equals(value, cas.expected()) ? cas.value() : value;
    }
    return value;
  }

  @Override
  public Object partition(Input input) {
    return input.key();
  }

  @Override
  public String describeOperation(Input input, String output) {
    if (input instanceof Get) {
      return input + " -> " + (output == null ? "(absent)" : output);
    }
    return input instanceof CompareAndSet ? input + " -> " + output : input.toString();
  }

  @Override
  public String describeState(String value) {
    return value == null ? "(absent)" : value;
  }
}
