package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the checker refuses to judge, and how: a history it cannot read as one (an id given twice,
 * a missing operation) is refused before any search, and a model that breaks its contract is
 * named with the operation, partition and state it was given, never surfacing as a bare exception
 * from inside the search.
 */
class CheckerInputsTest {
  /** A counter: input "add N" adds N and answers the total; "get" answers it. Anything else does not parse. */
  private static final Model<Long, String, Long> COUNTER = Model.deterministic(0L, (total, input) -> {
    long after = input.equals("get") ? total : total + Long.parseLong(input.substring(4));
    return Model.outcome(after, after);
  });

  @Test
  void twoOperationsWithOneIdAreRefusedNamingTheId() {
    List<Operation<Input, String>> history = List.of(
        Operation.completed(0, 0, new Put("x", "1"), "OK", 0, 10),
        Operation.completed(1, 1, new Get("x"), "1", 20, 30),
        Operation.unknown(1, 2, new Put("y", "3"), 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearizabilityChecker.check(new KvModel(), history));
    assertEquals("operation ids must be unique: #1 is given twice, at positions 1 and 2 of the history",
        e.getMessage());
  }

  @Test
  void aNullOperationIsRefusedNamingItsPosition() {
    List<Operation<Input, String>> history = new ArrayList<>();
    history.add(Operation.completed(0, 0, new Put("x", "1"), "OK", 0, 10));
    history.add(null);
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> LinearizabilityChecker.check(new KvModel(), history));
    assertEquals("the history holds null at position 1", e.getMessage());
  }

  @Test
  void aModelThatThrowsIsReportedWithTheOperationItsPartitionAndTheState() {
    List<Operation<String, Long>> history = List.of(
        Operation.completed(0, 0, "add 2", 2L, 0, 10),
        Operation.completed(1, 0, "add two", 4L, 20, 30));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearizabilityChecker.check(COUNTER, history));
    assertEquals("the model threw on operation #1 (partition all) in state 2: java.lang.NumberFormatException:"
        + " For input string: \"two\"", e.getMessage());
    assertInstanceOf(NumberFormatException.class, e.getCause());
  }

  @Test
  void aModelThatThrowsOnAnOperationOfUnknownOutcomeIsReportedToo() {
    List<Operation<String, Long>> history = List.of(Operation.unknown(7, 0, "add seven", 0),
        Operation.completed(8, 1, "get", 5L, 5, 10));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearizabilityChecker.check(COUNTER, history));
    assertTrue(e.getMessage().startsWith("the model threw on operation #7 (partition all) in state 0: "),
        e.getMessage());
  }

  @Test
  void aModelWhoseStepAnswersNullIsReported() {
    Model<Long, String, Long> nullStep = new Model<>() {
      @Override
      public Long init() {
        return 0L;
      }

      @Override
      public Step<Long> step(Long state, String input, Long output) {
        return null;
      }

      @Override
      public Long stepUnknown(Long state, String input) {
        return state;
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearizabilityChecker.check(nullStep, List.of(Operation.completed(3, 0, "get", 0L, 0, 10))));
    assertEquals("the model's step returned null on operation #3 (partition all) in state 0; an operation that"
        + " cannot take effect is Step.illegal()", e.getMessage());
  }

  @Test
  void aModelWhosePartitionThrowsIsReportedWithTheOperation() {
    Model<Long, String, Long> unpartitionable = new CounterModel() {
      @Override
      public Object partition(String input) {
        throw new UnsupportedOperationException("no partitions here");
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> LinearizabilityChecker.check(
        unpartitionable, List.of(Operation.completed(5, 0, "get", 0L, 0, 10))));
    assertEquals("the model threw on the partition of operation #5: java.lang.UnsupportedOperationException:"
        + " no partitions here", e.getMessage());
  }

  /** {@link #COUNTER} in full; a test overrides the one method it breaks. */
  private static class CounterModel implements Model<Long, String, Long> {
    @Override
    public Long init() {
      return COUNTER.init();
    }

    @Override
    public Step<Long> step(Long state, String input, Long output) {
      return COUNTER.step(state, input, output);
    }

    @Override
    public Long stepUnknown(Long state, String input) {
      return COUNTER.stepUnknown(state, input);
    }

    @Override
    public String describeState(Long state) {
      return COUNTER.describeState(state);
    }

    @Override
    public String describeOperation(String input, Long output) {
      return COUNTER.describeOperation(input, output);
    }
  }

  /** {@link #COUNTER}, with {@code describeState} or {@code describeOperation} broken. */
  private static Model<Long, String, Long> counterThatCannotDescribe(boolean states, boolean operations) {
    return new CounterModel() {
      @Override
      public String describeState(Long state) {
        if (states) {
          throw new UnsupportedOperationException("cannot describe " + state);
        }
        return super.describeState(state);
      }

      @Override
      public String describeOperation(String input, Long output) {
        if (operations) {
          throw new UnsupportedOperationException("cannot describe " + input);
        }
        return super.describeOperation(input, output);
      }
    };
  }

  /** Not linearizable: the get must see 2. Explaining it describes #0 and the state after it. */
  private static final List<Operation<String, Long>> LOST_ADD = List.of(
      Operation.completed(0, 0, "add 2", 2L, 0, 10),
      Operation.completed(1, 1, "get", 5L, 20, 30));

  @Test
  void aModelWhoseDescribeStateThrowsWhileAFailureIsExplainedIsReportedWithTheOperationAndPartition() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearizabilityChecker.check(counterThatCannotDescribe(true, false), LOST_ADD));
    assertEquals("the model threw on describeState of the state after operation #0 (partition all), while"
        + " explaining the failure of #1: java.lang.UnsupportedOperationException: cannot describe 2", e.getMessage());
    assertInstanceOf(UnsupportedOperationException.class, e.getCause());
  }

  @Test
  void aModelWhoseDescribeOperationThrowsWhileAFailureIsExplainedIsReportedWithTheOperationAndPartition() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> LinearizabilityChecker.check(counterThatCannotDescribe(false, true), LOST_ADD));
    assertEquals("the model threw on describeOperation of operation #0 (partition all), while explaining the"
        + " failure of #1: java.lang.UnsupportedOperationException: cannot describe add 2", e.getMessage());
    assertInstanceOf(UnsupportedOperationException.class, e.getCause());
  }
}
