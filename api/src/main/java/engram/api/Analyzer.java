package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.curriculum.Assignment;
import engram.api.table.TableSpec;
import engram.api.task.Batch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Takes a trained network apart: reads checkpoints of a run, writes results (CSV/JSON/NPY) and
 * figures (PNG) into its own output directory.
 *
 * <p>Analyzers that only read tensors (τ statistics, connectivity) use {@link
 * Context#checkpoints()}; analyzers that run the network (timescales, ablation, perturbation,
 * forgetting, transfer) rebuild it from a checkpoint through {@link Context#run()}, with the run's
 * own model, task and seed.
 *
 * <p>Randomness comes only from {@link Run#random}, so repeating an analysis repeats its draws.
 * Tensors are named as in the model's {@link Network#parameters()}; their units are the model's (τ
 * in steps). Core calls {@link #analyze} from one thread; the analyzer itself is stateless.
 *
 * @param <C> configuration record
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Analyzer<C extends Record> extends Plugin<C> {

  /**
   * One saved state of a run.
   *
   * @param name checkpoint directory name ({@code advance-e0012-N5}, {@code final}, ...)
   * @param epoch epochs completed when it was written
   * @param levels the levels being trained at that moment, oldest first
   * @param tensors every parameter of the network and of the readout heads ({@code head_<k>_w}
   *     {@code [width, H]}, {@code head_<k>_b} {@code [width]}) by name
   * @param assignments which head served which level at that moment (empty when unknown)
   */
  record Checkpoint(
      String name,
      int epoch,
      int[] levels,
      Map<String, INDArray> tensors,
      List<Assignment> assignments) {
    /**
     * Copies the assignments into an unmodifiable list; the other values are kept as given.
     *
     * @param name checkpoint directory name
     * @param epoch epochs completed when it was written
     * @param levels the levels being trained, oldest first
     * @param tensors every tensor by name
     * @param assignments which head served which level; never null
     */
    public Checkpoint {
      assignments = List.copyOf(assignments);
    }

    /**
     * A checkpoint without head assignments (synthetic data in tests).
     *
     * @param name checkpoint directory name
     * @param epoch epochs completed when it was written
     * @param levels the levels being trained, oldest first
     * @param tensors every tensor by name
     */
    public Checkpoint(String name, int epoch, int[] levels, Map<String, INDArray> tensors) {
      this(name, epoch, levels, tensors, List.of());
    }

    /**
     * The largest level trained at this checkpoint.
     *
     * @return N of "trained up to N"; {@link Integer#MIN_VALUE} when {@code levels} is empty
     */
    public int maxLevel() {
      int max = Integer.MIN_VALUE;
      for (int level : levels) {
        max = Math.max(max, level);
      }
      return max;
    }
  }

  /** What an analyzer is given: the run's checkpoints, oldest first, and where to write. */
  interface Context {
    /**
     * The checkpoints selected for this analysis ({@code --checkpoints}).
     *
     * @return the checkpoints, oldest first; the list and their tensors are read only
     */
    List<Checkpoint> checkpoints();

    /**
     * Where the analysis writes its results and figures.
     *
     * @return {@code <run-dir>/analysis/<id>/}, created by core and empty; the analyzer writes only
     *     here
     */
    Path outputDirectory();

    /**
     * The analysed run's model, task and seed, for analyses that run the network.
     *
     * @return the run behind the checkpoints
     * @throws IllegalStateException when the analysis has no run behind it (the default, for
     *     synthetic checkpoints)
     */
    default Run run() {
      throw new IllegalStateException(
          "this analysis has no run behind its checkpoints, so the"
              + " network cannot be rebuilt; analyse a run directory made by ./engram run");
    }
  }

  /**
   * The run behind the checkpoints: rebuilds its network, samples its task, retrains copies. One
   * analyzer uses it from one thread.
   */
  interface Run {
    /**
     * The run's model.
     *
     * @return the id of the run's model plugin ({@code leaky-rnn}, {@code gru}, ...)
     */
    String modelId();

    /**
     * The run's task.
     *
     * @return the id of the run's task plugin
     */
    String taskId();

    /**
     * The smallest level of the run's task.
     *
     * @return {@link Task#minLevel} with the run's task configuration (2 for N-parity)
     */
    int minLevel();

    /**
     * A random generator for this analysis, determined by the run seed, the analyzer id and {@code
     * name}: the same name gives the same draws every time the analysis is repeated.
     *
     * @param name names the stream within the analysis; different names give independent streams
     * @return a new generator, owned by the caller
     */
    RandomGenerator random(String name);

    /**
     * A batch of the run's task, as in training (see {@link Task#sample}).
     *
     * @param levels levels to produce targets for, each ≥ {@link #minLevel()}
     * @param batchSize number of sequences B ≥ 1
     * @param rng the only source of randomness
     * @return the batch, with the run's task configuration
     */
    Batch sample(int[] levels, int batchSize, RandomGenerator rng);

    /**
     * A continuous stream of the run's task (see {@link Task#stream}).
     *
     * @param levels levels to produce targets for, each ≥ {@link #minLevel()}
     * @param steps T ≥ 1
     * @param batchSize B ≥ 1 independent streams
     * @param rng the only source of randomness
     * @return inputs {@code [steps, B, inputSize]} and one target per level
     * @throws UnsupportedOperationException naming the task when it has none
     */
    Batch stream(int[] levels, int steps, int batchSize, RandomGenerator rng);

    /**
     * Every condition of the run's task, {@code copies} times, when the task has a finite set of
     * them (see {@link engram.api.task.FiniteConditions#conditions}): sequence {@code b} holds
     * condition {@code b % K}. Deterministic.
     *
     * @param levels levels to produce targets for, each ≥ {@link #minLevel()}
     * @param copies how many times the set repeats, ≥ 1
     * @return the batch, or empty when the task does not implement {@link
     *     engram.api.task.FiniteConditions} (the default)
     */
    default java.util.Optional<Batch> conditions(int[] levels, int copies) {
      return java.util.Optional.empty();
    }

    /**
     * A fresh, independent copy of the network and readout heads with the values of {@code
     * checkpoint}; changing it never changes the checkpoint or another copy.
     *
     * @param checkpoint one of {@link Context#checkpoints()}
     * @return the copy, used from one thread
     */
    Restored restore(Checkpoint checkpoint);

    /**
     * Retrains a copy of the checkpoint's network as single-head on {@code level} for at most
     * {@code epochs} epochs with the run's optimizer, batch and evaluation settings and a fresh
     * readout head (stopping early once the level is learnt by the run's curriculum's rule). The
     * one-level training comes from {@link Curriculum.FixedLevel}: the run's curriculum when it has
     * that capability, otherwise another installed curriculum that has it. The run directory is not
     * touched.
     *
     * @param checkpoint the state to start from; not changed
     * @param level the level N′ to retrain on, ≥ {@link #minLevel()}
     * @param epochs the most epochs to train, ≥ 1
     * @param seed seeds the copy's head, data and evaluation
     * @return the evaluation accuracy after each epoch, in [0, 1]
     */
    double[] retrain(Checkpoint checkpoint, int level, int epochs, long seed);
  }

  /** A network rebuilt from a checkpoint together with its readout heads. */
  interface Restored {
    /**
     * The restored network.
     *
     * @return the network; its parameters are live, so an analysis may perturb them in place
     */
    Network network();

    /**
     * The head that serves {@code level}: the checkpoint's assignment for it, or the single head of
     * a single-head stage (which then answers every level).
     *
     * @param level a task level
     * @return the head index, ≥ 0
     * @throws IllegalArgumentException when no head serves {@code level}
     */
    int head(int level);

    /**
     * Removes hidden unit {@code unit}: {@link Network#ablate} and a zero readout column in every
     * head.
     *
     * @param unit in {@code [0, H)}
     * @throws UnsupportedOperationException when the model cannot remove a unit
     */
    void ablate(int unit);

    /**
     * Runs the network on {@code batch} from a fresh initial state ({@link Network#initialState},
     * drawn from {@code rng}).
     *
     * @param batch the inputs to run on
     * @param rng draws the initial state
     * @return the trajectory, valid until the next forward pass of this copy
     */
    Trajectory forward(Batch batch, RandomGenerator rng);

    /**
     * Accuracy per target of {@code batch} (in its order), each read out by {@link #head} of the
     * target's level and scored by the target's rule, counting only steps {@code ≥ fromStep}.
     *
     * @param batch inputs and targets; every target's level must be served by a head
     * @param fromStep the first step counted (earlier steps warm the network up), ≥ 0
     * @param rng draws the initial state
     * @return accuracies in [0, 1]; NaN for a target with nothing scored
     */
    double[] accuracy(Batch batch, int fromStep, RandomGenerator rng);
  }

  /**
   * The CSV tables {@link #analyze} writes into its output directory, declared so that {@code
   * ./engram compare} and studies read them by declaration rather than by a copy of the schema.
   * Every file named here is written with exactly these columns, in this order; a file written only
   * in some cases (for one kind of model) says so in its description. Tables not declared here are
   * still written, but nothing reads them.
   *
   * @return the declared tables, in the order they are written; empty by default. The same on every
   *     call, whatever the configuration
   */
  default List<TableSpec> tables() {
    return List.of();
  }

  /**
   * Runs the analysis and writes its files into {@link Context#outputDirectory()}. Deterministic
   * given the checkpoints and {@link Run#random} streams; called from one thread.
   *
   * @param config validated configuration
   * @param context checkpoints, output directory and (for analyses that run the network) the run
   * @throws IllegalStateException naming what is missing (a tensor, a run, a stream form of the
   *     task). Check before writing: core removes the output directory of a failed analysis only
   *     when it is still empty
   * @throws Exception an I/O or other failure; core reports its message after the analyzer's id and
   *     goes on with the next analyzer
   */
  void analyze(C config, Context context) throws Exception;
}
