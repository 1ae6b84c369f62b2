package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every task must do, as an abstract JUnit 5 test to extend: name the task, the configurations
 * to check (its defaults unless overridden), whether it has a continuous {@link Task#stream}, and
 * optionally invalid configurations. A task's own test adds what only it guarantees (its labels,
 * against a brute-force computation).
 *
 * <p>Checked on every configuration and on several sets of levels (one level, several, out of
 * order): the plugin itself ({@link PluginContract#assertPlugin}); batch shapes (B, T ≥ 1, I as
 * declared, periods of T·B), finite inputs; one target per level in the requested order, of the
 * declared kind and width, with a 0/1 mask that scores at least one step of every sequence and
 * labels that are class indices; the same generator state gives the same batch, another seed or the
 * next draw another one; a level below {@link Task#minLevel}, no level and an empty batch are
 * rejected with an {@link IllegalArgumentException} naming the task; and the stream: exactly {@code
 * steps} long with the same guarantees, or an {@link UnsupportedOperationException} naming the task
 * when it has none.
 *
 * <pre>{@code
 * class MyTaskTest extends TaskContract<MyTask.Config> {
 *   protected Task<MyTask.Config> task() { return new MyTask(); }
 *   protected boolean hasStream() { return false; }
 * }
 * }</pre>
 *
 * @param <C> the task's configuration record
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TaskContract<C extends Record> {

  /**
   * The task under test.
   *
   * @return a new plugin instance
   */
  protected abstract Task<C> task();

  /**
   * Whether the task implements {@link Task#stream}.
   *
   * @return true when it has a continuous form
   */
  protected abstract boolean hasStream();

  /**
   * The configurations to check.
   *
   * @return at least one; the task's defaults by default
   */
  protected List<C> configs() {
    return List.of(task().defaults());
  }

  /**
   * Constructions of the configuration record that must fail naming their key.
   *
   * @return the invalid configurations; none by default
   */
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of();
  }

  /**
   * The sets of levels to request, each level ≥ {@code minLevel}.
   *
   * @param minLevel {@link Task#minLevel} of the configuration
   * @return {min}, {min + 1, min} and {min, min + 2, min + 1} by default
   */
  protected List<int[]> levelSets(int minLevel) {
    return List.of(
        new int[] {minLevel},
        new int[] {minLevel + 1, minLevel},
        new int[] {minLevel, minLevel + 2, minLevel + 1});
  }

  /**
   * A short name of a configuration for test reports.
   *
   * @param config a configuration
   * @return its {@code toString()} by default
   */
  protected String describe(C config) {
    return config.toString();
  }

  /**
   * The configurations as named test arguments (the source of every parameterized test here).
   *
   * @return one argument per configuration
   */
  protected Stream<Named<C>> configurations() {
    List<C> configs = configs();
    assertFalse(configs.isEmpty(), "configs() must name at least one configuration");
    return configs.stream().map(c -> Named.of(describe(c), c));
  }

  private String id() {
    return task().info().id();
  }

  /** Registration, constructor, info and documented configuration ({@link PluginContract}). */
  @Test
  public void pluginIsRegisteredDocumentedAndCheapToCreate() {
    PluginContract.assertPlugin(task());
    for (C config : configs()) {
      assertSame(task().configType(), config.getClass(), "configs() are the task's own");
    }
  }

  /** Every invalid configuration throws naming its key. */
  @Test
  public void invalidConfigurationsAreRejectedNamingTheKey() {
    PluginContract.assertConfigErrors(invalidConfigs());
  }

  /**
   * Batches have the declared shapes and finite values, and one target per level in order.
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void batchesMatchTheDeclaredShapesAndAreFinite(C config) {
    Task<C> task = task();
    int min = task.minLevel(config);
    assertTrue(min >= 1, id() + ": minLevel must be ≥ 1, was " + min);
    assertTrue(task.inputSize(config) >= 1, id() + ": inputSize");
    assertTrue(task.outputSize(config) >= 1, id() + ": outputSize");
    assertNotNull(task.lossKind(config), id() + ": lossKind");
    for (int[] levels : levelSets(min)) {
      Batch batch = task.sample(config, levels.clone(), 6, new SplittableRandom(11));
      assertBatch(config, batch, levels, 6, "sample " + Arrays.toString(levels));
    }
  }

  /**
   * The same generator state gives the same batch; another seed, or the generator's next draw,
   * another one.
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void sameGeneratorStateSameBatchOtherStateOtherBatch(C config) {
    Task<C> task = task();
    int[] levels = {task.minLevel(config) + 1, task.minLevel(config)};
    Batch a = task.sample(config, levels, 8, new SplittableRandom(5));
    Batch b = task.sample(config, levels, 8, new SplittableRandom(5));
    Batch c = task.sample(config, levels, 8, new SplittableRandom(6));
    assertSameBatch(a, b, id());
    assertFalse(
        a.steps() == c.steps() && Arrays.equals(a.inputs(), c.inputs()),
        id() + ": seeds 5 and 6 gave the same batch");
    RandomGenerator one = new SplittableRandom(5);
    task.sample(config, levels, 8, one);
    Batch next = task.sample(config, levels, 8, one);
    assertFalse(
        a.steps() == next.steps() && Arrays.equals(a.inputs(), next.inputs()),
        id() + ": two consecutive batches from one generator were equal");
  }

  /**
   * A level below {@link Task#minLevel}, no level, and no sequence are refused naming the task.
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void invalidRequestsAreRejectedNamingTheTask(C config) {
    Task<C> task = task();
    int min = task.minLevel(config);
    RandomGenerator rng = new SplittableRandom(0);
    assertRejected(
        "a level below minLevel", () -> task.sample(config, new int[] {min, min - 1}, 4, rng));
    assertRejected("no level", () -> task.sample(config, new int[0], 4, rng));
    assertRejected("batch size 0", () -> task.sample(config, new int[] {min}, 0, rng));
  }

  /**
   * The stream is exactly as long as asked, with the guarantees of a batch and the same draws for
   * the same generator state; or, for a task without one, an {@link UnsupportedOperationException}
   * naming the task.
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void streamHasTheRequestedShapeOrIsRefusedNamingTheTask(C config) {
    Task<C> task = task();
    int min = task.minLevel(config);
    if (!hasStream()) {
      String message =
          assertThrows(
                  UnsupportedOperationException.class,
                  () -> task.stream(config, new int[] {min}, 25, 3, new SplittableRandom(1)))
              .getMessage();
      assertTrue(
          String.valueOf(message).contains("'" + id() + "'"),
          "the message names the task: " + message);
      return;
    }
    for (int[] levels : levelSets(min)) {
      for (int steps : new int[] {1, 7, 40}) {
        Batch batch = task.stream(config, levels.clone(), steps, 5, new SplittableRandom(steps));
        String what = "stream " + Arrays.toString(levels) + " of " + steps + " steps";
        assertEquals(steps, batch.steps(), id() + ": a stream is exactly as long as asked");
        assertBatch(config, batch, levels, 5, what);
      }
    }
    int[] levels = {min + 1, min};
    Batch a = task.stream(config, levels, 60, 8, new SplittableRandom(7));
    Batch b = task.stream(config, levels, 60, 8, new SplittableRandom(7));
    assertSameBatch(a, b, id() + " stream");
    Batch c = task.stream(config, levels, 60, 8, new SplittableRandom(8));
    assertFalse(
        Arrays.equals(a.inputs(), c.inputs()), id() + ": seeds 7 and 8 gave the same" + " stream");
    RandomGenerator one = new SplittableRandom(7);
    task.stream(config, levels, 60, 8, one);
    Batch next = task.stream(config, levels, 60, 8, one);
    assertFalse(
        Arrays.equals(a.inputs(), next.inputs()),
        id() + ": two consecutive streams" + " from one generator were equal");
    RandomGenerator rng = new SplittableRandom(0);
    assertRejected(
        "a stream below minLevel", () -> task.stream(config, new int[] {min, min - 1}, 10, 4, rng));
    assertRejected("a stream of no level", () -> task.stream(config, new int[0], 10, 4, rng));
    assertRejected("a stream of 0 steps", () -> task.stream(config, new int[] {min}, 0, 4, rng));
    assertRejected(
        "a stream of 0 sequences", () -> task.stream(config, new int[] {min}, 10, 0, rng));
  }

  private void assertRejected(String what, Executable request) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, request, id() + " accepted " + what);
    assertTrue(
        String.valueOf(e.getMessage()).contains(id()),
        "the message for " + what + " names the task '" + id() + "': " + e.getMessage());
  }

  private void assertBatch(C config, Batch batch, int[] levels, int sequences, String what) {
    Task<C> task = task();
    String at = id() + " " + what;
    int cells = batch.steps() * batch.batch();
    assertTrue(batch.steps() >= 1, at + ": T ≥ 1");
    assertEquals(sequences, batch.batch(), at + ": B");
    assertEquals(task.inputSize(config), batch.inputSize(), at + ": inputSize");
    assertEquals(cells * batch.inputSize(), batch.inputs().length, at + ": inputs");
    assertEquals(cells, batch.periods().index().length, at + ": periods");
    for (float x : batch.inputs()) {
      assertTrue(Float.isFinite(x), at + ": input " + x);
    }
    assertEquals(levels.length, batch.targets().size(), at + ": one target per level");
    for (int i = 0; i < levels.length; i++) {
      Target target = batch.targets().get(i);
      assertEquals(levels[i], target.level(), at + ": targets come in the requested order");
      assertEquals(task.lossKind(config), target.kind(), at + ": kind");
      assertEquals(task.outputSize(config), target.width(), at + ": width");
      assertEquals(cells, target.mask().length, at + ": mask");
      int[] scoredPerSequence = new int[batch.batch()];
      for (int k = 0; k < cells; k++) {
        float m = target.mask()[k];
        assertTrue(m == 0f || m == 1f, at + ": mask " + m);
        scoredPerSequence[k % batch.batch()] += (int) m;
      }
      if (!what.startsWith("stream") || batch.steps() >= levels[i]) {
        // a stream scores from where the level is defined on; a trial always scores something
        for (int b = 0; b < batch.batch(); b++) {
          assertTrue(
              scoredPerSequence[b] >= 1,
              at + ": level " + levels[i] + " scores no step" + " of sequence " + b);
        }
      }
      for (float v : target.values()) {
        assertTrue(Float.isFinite(v), at + ": target " + v);
        if (target.kind() == LossKind.CLASSIFICATION) {
          assertTrue(v >= 0 && v < target.width() && v == Math.rint(v), at + ": label " + v);
        }
      }
    }
  }

  private static void assertSameBatch(Batch a, Batch b, String id) {
    assertEquals(a.steps(), b.steps(), id + ": steps");
    assertArrayEquals(a.inputs(), b.inputs(), id + ": inputs");
    assertArrayEquals(a.periods().index(), b.periods().index(), id + ": periods");
    assertEquals(a.targets().size(), b.targets().size(), id + ": targets");
    for (int i = 0; i < a.targets().size(); i++) {
      assertArrayEquals(a.targets().get(i).values(), b.targets().get(i).values(), id + ": values");
      assertArrayEquals(a.targets().get(i).mask(), b.targets().get(i).mask(), id + ": mask");
    }
  }
}
