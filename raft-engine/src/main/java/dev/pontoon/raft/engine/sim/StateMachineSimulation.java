package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.LinearizabilityChecker;
import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Runs your own {@link StateMachine} under Pontoon's deterministic simulation: many seeds, each a
 * cluster of the production runtime ({@code RaftServer}, its event loop, group-commit sync, apply
 * and snapshot workers, recovery) on every node, over a network that loses, duplicates, delays,
 * reorders and partitions messages, with crashes that lose unsynced writes, restarts, snapshots,
 * leadership transfers and drifting clocks — while simulated clients send the requests your
 * {@link OperationGenerator} draws. Each seed then fails if
 *
 * <ul>
 *   <li>a safety property of Raft broke (Election Safety, Log Matching, Leader Completeness, State
 *       Machine Safety, monotonic term and commit, Figure 2's "persistent state is updated on
 *       stable storage before responding to RPCs", checked on every message as it leaves, and a
 *       leader's commit resting on a durable majority of its configuration), or a node stopped
 *       itself;
 *   <li>two replicas — or one replica replaying its log after a restart — computed different
 *       results for the same command: your {@code apply} is not deterministic, or not safe to
 *       replay;
 *   <li>the healed cluster made no progress;
 *   <li>the clients' history is not linearizable against your {@link Model}: some answer could not
 *       have come from one copy of the state machine applying the operations one at a time, each
 *       between its invocation and its response.
 * </ul>
 *
 * <p>A failing seed reports its violations, the shortest failing prefix of the history when it is
 * not linearizable, the last events of the run and how to replay it. The same seed replays
 * exactly, provided your state machine, generator and model are deterministic.
 *
 * <pre>{@code
 * SimulationReport report = StateMachineSimulation.builder()
 *     .stateMachine(Account::new)                       // a fresh instance per node start
 *     .operations((random, client) -> random.nextBoolean() ? Request.read("balance")
 *         : Request.command(Integer.toString(random.nextInt(-5, 6))))
 *     .model(ACCOUNT_SPEC)                              // Model<?, Request, Bytes>
 *     .seeds(100)
 *     .build().run();
 * assertTrue(report.ok(), report::describe);
 * }</pre>
 *
 * <p><b>Your model</b> sees each operation as its {@link Request} and the answer's bytes: the
 * result {@code apply} returned for a command, {@code query}'s answer for a read. Commands whose
 * client never learned the outcome (a timeout, a crash, a lost leadership) are of unknown outcome
 * to the checker, unless some node applied them, in which case they count as taking effect at
 * their first application, with the result it computed. Reads never go through the log.
 *
 * <p><b>Snapshots</b> are exercised (the runtime snapshots every few entries in some seeds, and
 * lagging followers receive them) when your state machine implements
 * {@link StateMachine#captureSnapshot()}; otherwise every seed runs without them.
 *
 * <p><b>Threading.</b> {@link #run()} runs seeds in parallel on {@link Builder#threads} threads,
 * each seed on one thread; so the factory, generator and model are called from several threads
 * at once (each state machine instance only from the thread of its seed), and must keep no shared
 * mutable state. Membership changes are not part of these runs (the simulator's command line
 * runs them: {@code pontoon-simulate --membership on}).
 *
 * <p><b>Process faults</b> ({@link Builder#processFaults}): crashes that fall inside a node's work
 * and inside its recovery, where your state machine is restored from a snapshot or replays the
 * log, and pauses of whole processes. Off by default, so that a seed recorded before keeps
 * replaying the same run.
 *
 * @see SimulationReport
 * @see SimulationResult
 * @see LinearizabilityChecker
 */
public final class StateMachineSimulation {
  /** The system property that restricts {@link #run()} to one seed, to replay a failure. */
  public static final String SEED_PROPERTY = "pontoon.sim.seed";

  private final UserWorkload workload;
  private final long firstSeed;
  private final long seeds;
  private final int nodes;
  private final long events;
  private final int threads;
  private final Path timelines;
  private final boolean processFaults;

  private StateMachineSimulation(Builder b) {
    this.processFaults = b.processFaults;
    this.workload = new UserWorkload(b.stateMachine, b.operations, readable(b.model), b.stepBudget);
    this.firstSeed = b.firstSeed;
    this.seeds = b.seeds;
    this.nodes = b.nodes;
    this.events = b.events;
    this.threads = b.threads;
    this.timelines = b.timelines;
  }

  /** A builder with 100 seeds from seed 1, 3 nodes, 10,000 events per seed, one thread per processor. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs every seed, in parallel, and returns what they found; blocks until all are done. With
   * the system property {@value #SEED_PROPERTY} set, runs that seed alone (the way to replay a
   * failure from the command line: {@code mvn test -Dtest=YourTest -Dpontoon.sim.seed=S}).
   *
   * @throws IllegalStateException if the simulator itself, or your model, threw: the message starts
   *     with the seed ({@code seed 7: the model threw on operation #12 (partition all) in state
   *     ...}) and ends with how to replay it, and the cause is what was thrown (exceptions from your
   *     state machine or generator are reported as violations of the seed instead)
   */
  public SimulationReport run() {
    String only = System.getProperty(SEED_PROPERTY);
    long first = only == null ? firstSeed : Long.parseLong(only.trim());
    long count = only == null ? seeds : 1;
    try {
      SimulationReport report = SimulationReport.run(first, count, threads, this::runSeed, r -> {});
      return timelines == null ? report : report.writeTimelines(timelines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the timelines to " + timelines, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while simulating", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("a simulated run failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Runs one seed on the calling thread: the way to replay a failure in a debugger.
   *
   * @throws IllegalStateException as {@link #run()} does, naming this seed
   */
  public SimulationResult runSeed(long seed) {
    String replay = "runSeed(" + seed + "L) on this simulation, or run the test with -D" + SEED_PROPERTY + "=" + seed;
    try {
      return new Simulation(seed, nodes, Sabotage.NONE, Simulation.Mode.RUNTIME, random -> workload, replay, false,
          processFaults).run(events);
    } catch (RuntimeException e) {
      // Not a finding about the cluster: the model (or the simulator) is broken. Say where.
      String what = e instanceof IllegalStateException ? e.getMessage() : e.toString();
      throw new IllegalStateException("seed " + seed + ": " + what + "; replay: " + replay, e);
    }
  }

  /**
   * Sets up a {@link StateMachineSimulation}; {@link #stateMachine}, {@link #operations} and
   * {@link #model} are required. Not thread-safe; {@link #build()} checks and copies the settings.
   */
  public static final class Builder {
    private Supplier<? extends StateMachine> stateMachine;
    private OperationGenerator operations;
    private Model<?, Request, Bytes> model;
    private long firstSeed = 1;
    private long seeds = 100;
    private int nodes = 3;
    private long events = 10_000;
    private int threads = Runtime.getRuntime().availableProcessors();
    private long stepBudget = LinearizabilityChecker.DEFAULT_STEP_BUDGET;
    private Path timelines;
    private boolean processFaults;

    private Builder() {}

    /**
     * The state machine under test: {@code factory} makes a fresh, empty instance each time a
     * simulated node starts or restarts (the runtime then replays the log, or restores a snapshot,
     * into it).
     */
    public Builder stateMachine(Supplier<? extends StateMachine> factory) {
      this.stateMachine = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** What the simulated clients send; see {@link OperationGenerator} for its rules. */
    public Builder operations(OperationGenerator generator) {
      this.operations = Objects.requireNonNull(generator, "generator");
      return this;
    }

    /**
     * The sequential specification the clients' history is checked against: inputs are the
     * {@link Request}s, outputs the answers' bytes.
     */
    public Builder model(Model<?, Request, Bytes> model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * How many seeds {@link #run()} runs (default 100).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder seeds(long count) {
      this.seeds = requirePositive("seeds", count);
      return this;
    }

    /** The first seed (default 1); seeds {@code first .. first + seeds - 1} run. */
    public Builder firstSeed(long first) {
      this.firstSeed = first;
      return this;
    }

    /**
     * The cluster size: 3 to 7 voters, or 0 to let each seed choose 3 to 5 (default 3).
     *
     * @throws IllegalArgumentException for another size
     */
    public Builder nodes(int count) {
      if (count != 0 && (count < 3 || count > 7)) {
        throw new IllegalArgumentException("nodes (" + count + ") must be 3 to 7, or 0 for 3 to 5 chosen by each seed");
      }
      this.nodes = count;
      return this;
    }

    /**
     * Events per seed before the final phase heals and restarts the cluster (default 10,000; a
     * seed of 3 nodes runs in roughly 0.1 s per 10,000).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder eventsPerSeed(long count) {
      this.events = requirePositive("eventsPerSeed", count);
      return this;
    }

    /**
     * Whether crashes also fall inside a node's work (at a log write, a sync or a snapshot commit)
     * and inside its recovery, and whole processes pause while their clocks run on (default
     * false). A seed's run depends on it: replay a failure with the same setting.
     */
    public Builder processFaults(boolean on) {
      this.processFaults = on;
      return this;
    }

    /**
     * Seeds run in parallel (default: the available processors).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder threads(int count) {
      this.threads = (int) requirePositive("threads", count);
      return this;
    }

    /**
     * Search steps per partition the linearizability check of a seed may take (default
     * {@value LinearizabilityChecker#DEFAULT_STEP_BUDGET}); a history it cannot decide in time
     * fails the seed, as unproven.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder stepBudget(long steps) {
      this.stepBudget = requirePositive("stepBudget", steps);
      return this;
    }

    /**
     * Where {@link #run()} writes, for every failing seed whose history was checked, its
     * {@link dev.pontoon.raft.engine.linearizability.HistoryTimeline} as {@code seed-S.html}
     * (default: nowhere; {@link SimulationResult#timelineHtml()} has it anyway). The report's
     * {@link SimulationReport#describe()} names the files.
     */
    public Builder timelines(Path directory) {
      this.timelines = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * The simulation.
     *
     * @throws IllegalStateException if the state machine, the generator or the model is missing
     */
    public StateMachineSimulation build() {
      if (stateMachine == null || operations == null || model == null) {
        throw new IllegalStateException("a simulation needs stateMachine(...), operations(...) and model(...); missing:"
            + (stateMachine == null ? " stateMachine" : "") + (operations == null ? " operations" : "")
            + (model == null ? " model" : ""));
      }
      return new StateMachineSimulation(this);
    }

    private static long requirePositive(String name, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " (" + value + ") must be positive");
      }
      return value;
    }
  }

  /**
   * {@code model}, except that an operation described the default way ({@code input -> output})
   * shows its answer as text when it is printable text.
   */
  private static <S> Model<S, Request, Bytes> readable(Model<S, Request, Bytes> model) {
    return new Model<>() {
      @Override
      public S init() {
        return model.init();
      }

      @Override
      public Step<S> step(S state, Request input, Bytes output) {
        return model.step(state, input, output);
      }

      @Override
      public S stepUnknown(S state, Request input) {
        return model.stepUnknown(state, input);
      }

      @Override
      public Object partition(Request input) {
        return model.partition(input);
      }

      @Override
      public String describeOperation(Request input, Bytes output) {
        String described = model.describeOperation(input, output);
        return described.equals(input + " -> " + output) ? input + " -> " + Request.printable(output) : described;
      }

      @Override
      public String describeState(S state) {
        return model.describeState(state);
      }
    };
  }

  /** A user's state machine, generator and model as the simulator's workload; stateless, so shared by every seed. */
  private record UserWorkload(Supplier<? extends StateMachine> factory, OperationGenerator generator,
      Model<?, Request, Bytes> model, long stepBudget) implements Workload<Request, Bytes> {

    @Override
    public StateMachine newStateMachine() {
      return Objects.requireNonNull(factory.get(), "the state machine factory returned null");
    }

    @Override
    public Request next(RandomGenerator random, int client, long opId) {
      return Objects.requireNonNull(generator.next(random, client), "the operation generator returned null");
    }

    @Override
    public Request request(Request input) {
      return input;
    }

    @Override
    public Bytes output(Request input, Bytes answer) {
      return answer;
    }
  }
}
