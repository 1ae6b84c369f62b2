package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Cell;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every model must do, as an abstract JUnit 5 test to extend: name the model and the
 * configurations worth checking (each variant that changes parameters, extras, buffers or kernels,
 * with a small hidden size such as 7), and optionally invalid configurations. Every test below then
 * runs on every configuration, on the network core builds around the model's cell ({@link
 * Networks#create}: the model's kernel where one applies).
 *
 * <pre>{@code
 * class MyRnnContractTest extends ModelContract<MyRnnModel.Config> {
 *   protected Model<MyRnnModel.Config> model() { return new MyRnnModel(); }
 *   protected List<MyRnnModel.Config> configs() {
 *     return List.of(new MyRnnModel.Config(7, true), new MyRnnModel.Config(7, false));
 *   }
 *   protected List<PluginContract.ConfigError> invalidConfigs() {
 *     return List.of(PluginContract.ConfigError.of("hidden-size",
 *         () -> new MyRnnModel.Config(0, true)));
 *   }
 * }
 * }</pre>
 *
 * <p>Checked: the plugin itself ({@link PluginContract#assertPlugin}: registration, a constructor
 * that does no work, stable info, documented configuration with valid defaults) and the invalid
 * configurations; shapes and data types of parameters, initial state {@code [B, S]}, hidden states
 * {@code [T, B, H]} and every extra {@code [T, B, K]} as {@link Cell#extras()} declares, in float32
 * and float64, and the drive; determinism (same seed, same parameters and trajectories; another
 * seed, other parameters); buffers reused across shapes giving exactly what a fresh network gives;
 * dL/dh in any layout or type; float32 against float64; in-place parameter updates; stale
 * trajectories and wrong shapes rejected; {@link GradientCheck#checkStep} and {@link
 * GradientCheck#checkNetwork} in float64, with and without the kernel; a {@link
 * SequenceKernel.Provider}'s kernel against its cell ({@link KernelCheck}) wherever it offers one;
 * ablation as a state clamp; the Jacobian {@code [S, S]} against central differences of the step.
 *
 * <p>Finite differences cross the kink of a ReLU-type nonlinearity with a tiny probability; the
 * seeds are fixed, so a configuration either passes or fails every time (change {@link #seed()} if
 * an argument happens to lie within 1e-6 of a kink).
 *
 * @param <C> the model's configuration record
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ModelContract<C extends Record> {

  /**
   * The model under test.
   *
   * @return a new plugin instance
   */
  protected abstract Model<C> model();

  /**
   * The configurations to check: every variant that changes the parameters, extras, initial state,
   * buffers or kernel choice, each with a small hidden size (about 4 to 8 units) so the finite
   * differences stay fast.
   *
   * @return at least one configuration
   */
  protected abstract List<C> configs();

  /**
   * Constructions of the configuration record that must fail naming their key.
   *
   * @return the invalid configurations; none by default
   */
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of();
  }

  /**
   * The input size I the networks are created with.
   *
   * @return I ≥ 1; 2 by default
   */
  protected int inputSize() {
    return 2;
  }

  /**
   * Seeds parameters and data; change it if a finite difference meets a kink.
   *
   * @return the base seed
   */
  protected long seed() {
    return 4;
  }

  /**
   * The relative tolerance of the finite-difference checks in float64.
   *
   * @return {@link GradientCheck#TOLERANCE} by default
   */
  protected double gradientTolerance() {
    return GradientCheck.TOLERANCE;
  }

  /**
   * The relative tolerance of a kernel against its cell.
   *
   * @param type the data type compared
   * @return 1e-12 for float64 and 2e-5 for float32 by default
   */
  protected double kernelTolerance(DataType type) {
    return type == DataType.DOUBLE ? 1e-12 : 2e-5;
  }

  /**
   * The parameters whose entry {@code unit + k·H} belongs to unit {@code unit} alone (biases, τ,
   * per-unit loadings): the ablation test changes those of the ablated unit and expects no other
   * unit to notice.
   *
   * @param network a network of the model
   * @return the names; by default every rank-1 parameter whose length is a multiple of H
   */
  protected Set<String> perUnitParameters(Network network) {
    Set<String> names = new HashSet<>();
    for (Parameter p : network.parameters()) {
      if (p.value().rank() == 1 && p.value().length() % network.hiddenSize() == 0) {
        names.add(p.name());
      }
    }
    return names;
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

  /**
   * A network as core builds it.
   *
   * @param config the configuration
   * @param type FLOAT or DOUBLE
   * @param seed seeds the parameters
   * @param kernels whether the model's kernel may run
   * @return a new network
   */
  protected CellNetwork network(C config, DataType type, long seed, Networks.Kernels kernels) {
    return Networks.create(
        model(), config, new NetworkSpec(inputSize(), type), new SplittableRandom(seed), kernels);
  }

  private CellNetwork network(C config, DataType type, long seed) {
    return network(config, type, seed, Networks.Kernels.AUTO);
  }

  private static INDArray gaussian(SplittableRandom rng, long... shape) {
    return TestArrays.gaussian(rng, DataType.DOUBLE, shape);
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> arrays) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    arrays.forEach((k, v) -> m.put(k, v.dup()));
    return m;
  }

  // ---- the plugin ----

  /** Registration, constructor, info and documented configuration ({@link PluginContract}). */
  @Test
  public void pluginIsRegisteredDocumentedAndCheapToCreate() {
    PluginContract.assertPlugin(model());
    for (C config : configs()) {
      assertSame(model().configType(), config.getClass(), "configs() are the model's own");
    }
  }

  /** The defaults create a float32 network that runs. */
  @Test
  public void defaultsCreateANetworkThatRuns() {
    Model<C> model = model();
    CellNetwork net =
        Networks.create(
            model,
            model.defaults(),
            new NetworkSpec(inputSize(), DataType.FLOAT),
            new SplittableRandom(1));
    assertTrue(net.hiddenSize() >= 1);
    assertFalse(net.parameters().isEmpty());
    SplittableRandom rng = new SplittableRandom(2);
    Trajectory t =
        net.forward(
            TestArrays.gaussian(rng, DataType.FLOAT, 2, 1, inputSize()), net.initialState(1, rng));
    assertArrayEquals(new long[] {2, 1, net.hiddenSize()}, t.hidden().shape());
  }

  /** Every invalid configuration throws naming its key. */
  @Test
  public void invalidConfigurationsAreRejectedNamingTheKey() {
    PluginContract.assertConfigErrors(invalidConfigs());
  }

  // ---- shapes, types, determinism ----

  /** Shapes and types of everything a network hands out, in float32 and float64. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void shapesAndTypesAreAsDeclared(C config) {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      String in = " (" + type + ")";
      CellNetwork net = network(config, type, seed());
      Cell cell = net.cell();
      int h = net.hiddenSize();
      int s = net.stateSize();
      assertTrue(h >= 1 && s >= h && s % h == 0, "S = " + s + " must be a multiple of H = " + h);
      assertEquals(h, cell.hiddenSize(), "cell and network agree on H");
      assertEquals(s, cell.stateSize(), "cell and network agree on S");
      Set<String> names = new HashSet<>();
      boolean trainable = false;
      for (Parameter p : net.parameters()) {
        assertTrue(names.add(p.name()), "parameter names are unique: " + p.name());
        assertEquals(type, p.value().dataType(), p.name() + in);
        assertEquals('c', p.value().ordering(), p.name() + " is C-order" + in);
        trainable |= p.trainable();
      }
      assertTrue(trainable, "at least one parameter is trainable");
      SplittableRandom rng = new SplittableRandom(seed() + 1);
      int steps = 4;
      int batch = 3;
      INDArray s0 = net.initialState(batch, rng);
      assertArrayEquals(new long[] {batch, s}, s0.shape(), "initial state [B, S]" + in);
      assertEquals(type, s0.dataType(), "initial state" + in);
      INDArray x = TestArrays.gaussian(rng, type, steps, batch, inputSize());
      Trajectory t = net.forward(x, s0);
      assertArrayEquals(new long[] {steps, batch, h}, t.hidden().shape(), "hidden [T, B, H]" + in);
      assertEquals(type, t.hidden().dataType(), "hidden" + in);
      assertFinite("hidden" + in, t.hidden());
      TestArrays.assertIdentical(s0, t.initialState(), "the trajectory's initial state" + in);
      assertEquals(
          List.copyOf(cell.extras().keySet()),
          List.copyOf(t.extras().keySet()),
          "the trajectory's extras are the cell's, in its order" + in);
      for (Map.Entry<String, Integer> e : cell.extras().entrySet()) {
        INDArray extra = t.extras().get(e.getKey());
        assertArrayEquals(
            new long[] {steps, batch, e.getValue()},
            extra.shape(),
            "extra " + e.getKey() + " [T, B, K]" + in);
        assertEquals(type, extra.dataType(), e.getKey() + in);
        assertFinite(e.getKey() + in, extra);
      }
      assertTrue(
          cell.extras().keySet().containsAll(net.differentiableExtras()),
          "differentiable extras " + net.differentiableExtras() + " are extras");
      Map<String, INDArray> dLdExtras = new LinkedHashMap<>();
      for (String name : net.differentiableExtras()) {
        dLdExtras.put(name, TestArrays.gaussian(rng, type, t.extras().get(name).shape()));
      }
      Map<String, INDArray> grads = new LinkedHashMap<>();
      for (Parameter p : net.parameters()) {
        if (p.trainable()) {
          grads.put(p.name(), p.value().ulike().assign(Double.NaN));
        }
      }
      net.backward(t, TestArrays.gaussian(rng, type, steps, batch, h), dLdExtras, grads);
      grads.forEach(
          (name, g) -> assertFinite("dL/d" + name + " (every entry overwritten)" + in, g));
      INDArray drive = TestArrays.gaussian(rng, type, steps, batch, h);
      if (cell instanceof Cell.AcceptsDrive) {
        assertArrayEquals(new long[] {steps, batch, h}, net.forward(x, s0, drive).hidden().shape());
      } else {
        assertThrows(
            UnsupportedOperationException.class,
            () -> net.forward(x, s0, drive),
            "a cell that does not accept a drive must not ignore one");
      }
    }
  }

  /**
   * The same seed gives bit-identical parameters, initial states and trajectories; another seed
   * gives other values of every parameter that is drawn (not constant).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void sameSeedGivesIdenticalNetworksAndAnotherSeedOtherParameters(C config) {
    CellNetwork a = network(config, DataType.DOUBLE, 42);
    CellNetwork b = network(config, DataType.DOUBLE, 42);
    CellNetwork other = network(config, DataType.DOUBLE, 43);
    assertEquals(names(a), names(b));
    assertEquals(names(a), names(other));
    boolean anyDrawn = false;
    for (Parameter p : a.parameters()) {
      TestArrays.assertIdentical(p.value(), TestArrays.param(b, p.name()), p.name());
      boolean drawn = p.value().maxNumber().doubleValue() > p.value().minNumber().doubleValue();
      if (drawn) { // constant initialisations (biases at 0, a fixed τ) do not depend on the seed
        anyDrawn = true;
        assertNotEquals(p.value(), TestArrays.param(other, p.name()), p.name());
      }
    }
    assertTrue(anyDrawn, "some parameter is drawn from the generator");
    INDArray h0a = a.initialState(7, new SplittableRandom(3));
    TestArrays.assertIdentical(h0a, b.initialState(7, new SplittableRandom(3)), "initial state");
    boolean random = h0a.maxNumber().doubleValue() > h0a.minNumber().doubleValue();
    if (random) {
      assertNotEquals(h0a, a.initialState(7, new SplittableRandom(4)));
    }
    SplittableRandom rng = new SplittableRandom(5);
    INDArray x = gaussian(rng, 6, 7, inputSize());
    Trajectory ta = a.forward(x, h0a);
    Trajectory tb = b.forward(x, h0a);
    TestArrays.assertIdentical(ta.hidden(), tb.hidden(), "hidden");
    for (String name : ta.extras().keySet()) {
      TestArrays.assertIdentical(ta.extras().get(name), tb.extras().get(name), name);
    }
  }

  private static List<String> names(Network net) {
    return net.parameters().stream().map(Parameter::name).toList();
  }

  // ---- buffers, layouts, types, updates, rejections ----

  /** One network run on shapes that grow and shrink gives bit for bit what fresh ones give. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void growingAndShrinkingShapesMatchFreshNetworksBitForBit(C config) {
    CellNetwork reused = network(config, DataType.DOUBLE, 3);
    int h = reused.hiddenSize();
    int[][] shapes = {{5, 2}, {12, 4}, {3, 1}, {12, 4}, {1, 3}, {8, 6}, {2, 5}, {2, 2}};
    SplittableRandom rng = new SplittableRandom(77);
    for (int[] shape : shapes) {
      int steps = shape[0];
      int batch = shape[1];
      String at = " for T=" + steps + ", B=" + batch;
      INDArray x = gaussian(rng, steps, batch, inputSize());
      INDArray h0 = reused.initialState(batch, rng);
      INDArray dLdh = gaussian(rng, steps, batch, h);
      Network fresh = network(config, DataType.DOUBLE, 3);

      Trajectory a = reused.forward(x, h0);
      Trajectory b = fresh.forward(x, h0);
      assertArrayEquals(new long[] {steps, batch, h}, a.hidden().shape());
      TestArrays.assertIdentical(b.hidden(), a.hidden(), "hidden" + at);
      TestArrays.assertIdentical(h0, a.initialState(), "initial state" + at);
      assertEquals(0, a.initialState().offset(), "initial state offset" + at);
      assertEquals(reused.cell().extras().keySet(), a.extras().keySet(), "extras" + at);
      for (Map.Entry<String, Integer> e : reused.cell().extras().entrySet()) {
        INDArray extra = a.extras().get(e.getKey());
        assertArrayEquals(new long[] {steps, batch, e.getValue()}, extra.shape(), e.getKey() + at);
        TestArrays.assertIdentical(b.extras().get(e.getKey()), extra, e.getKey() + at);
      }
      Map<String, INDArray> extrasBefore = copy(a.extras());
      Map<String, INDArray> ga = TestArrays.gradientArrays(reused);
      Map<String, INDArray> gb = TestArrays.gradientArrays(fresh);
      reused.backward(a, dLdh.dup(), ga);
      fresh.backward(b, dLdh.dup(), gb);
      for (String name : ga.keySet()) {
        TestArrays.assertIdentical(gb.get(name), ga.get(name), name + at);
      }
      // backward leaves the trajectory (hidden states and extras) as it was.
      TestArrays.assertIdentical(b.hidden(), a.hidden(), "hidden after backward" + at);
      for (Map.Entry<String, INDArray> e : extrasBefore.entrySet()) {
        TestArrays.assertIdentical(
            e.getValue(), a.extras().get(e.getKey()), e.getKey() + " after backward" + at);
      }
      // The last step is reachable with the usual ND4J indexing (ND4J 1.0.0-M2.1 returns an
      // empty scalar for the last slice of a view at a non-zero offset).
      Map<String, INDArray> arrays = new LinkedHashMap<>();
      arrays.put("hidden", a.hidden());
      arrays.putAll(a.extras());
      for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
        INDArray arr = e.getValue();
        INDArray last = arr.slice(steps - 1);
        assertArrayEquals(new long[] {batch, arr.size(2)}, last.shape(), "last " + e.getKey() + at);
        TestArrays.assertIdentical(
            last, arr.get(point(steps - 1), all(), all()), "get " + e.getKey() + at);
        TestArrays.assertIdentical(
            last, arr.tensorAlongDimension(steps - 1, 1, 2), "tad " + e.getKey() + at);
      }
      TestArrays.assertIdentical(
          b.hidden().get(point(steps - 1), all(), all()), a.hidden().slice(steps - 1), "last" + at);
    }
  }

  /** dL/dh as a view, in Fortran order or in float32 gives the same gradients. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void gradientDoesNotDependOnHowDldhIsStored(C config) {
    CellNetwork net = network(config, DataType.DOUBLE, 8);
    int h = net.hiddenSize();
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 6;
    int batch = 3;
    INDArray x = gaussian(rng, steps, batch, inputSize());
    INDArray h0 = net.initialState(batch, rng);
    INDArray big = gaussian(rng, steps + 2, batch, h);
    INDArray dLdh = big.get(interval(2, steps + 2), all(), all()); // a view at a non-zero offset
    INDArray reference = dLdh.dup();

    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> plain = TestArrays.gradientArrays(net);
    net.backward(traj, reference.dup(), plain);
    Map<String, INDArray> fromView = TestArrays.gradientArrays(net);
    net.backward(traj, dLdh, fromView); // also: backward twice on one trajectory
    Map<String, INDArray> fromFloat = TestArrays.gradientArrays(net);
    net.backward(traj, reference.castTo(DataType.FLOAT), fromFloat); // copied, not in place
    Map<String, INDArray> fromFortran = TestArrays.gradientArrays(net);
    net.backward(traj, reference.dup('f'), fromFortran);
    for (String name : plain.keySet()) {
      assertTrue(plain.get(name).norm2Number().doubleValue() > 0, name);
      TestArrays.assertIdentical(plain.get(name), fromView.get(name), name + " (view)");
      TestArrays.assertIdentical(plain.get(name), fromFortran.get(name), name + " (f order)");
      assertTrue(
          TestArrays.maxRelativeDifference(fromFloat.get(name), plain.get(name)) < 1e-6,
          name + " (float)");
    }
  }

  /** A float32 network agrees with float64 and accepts float64 inputs, s_0 and dL/dh. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void floatNetworkAgreesWithDoubleAndAcceptsOtherInputTypes(C config) {
    CellNetwork dbl = network(config, DataType.DOUBLE, 4);
    CellNetwork flt = network(config, DataType.FLOAT, 4);
    int h = dbl.hiddenSize();
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = gaussian(rng, 9, 4, inputSize());
    INDArray h0 = dbl.initialState(4, rng);
    INDArray dLdh = gaussian(rng, 9, 4, h);
    Trajectory td = dbl.forward(x, h0);
    Trajectory tf = flt.forward(x, h0); // double inputs and h0 into a float network
    assertEquals(DataType.FLOAT, tf.hidden().dataType());
    assertTrue(TestArrays.maxRelativeDifference(tf.hidden(), td.hidden()) < 1e-5, "hidden");
    for (String name : dbl.cell().extras().keySet()) {
      assertEquals(DataType.FLOAT, tf.extras().get(name).dataType(), name);
      assertTrue(
          TestArrays.maxRelativeDifference(tf.extras().get(name), td.extras().get(name)) < 1e-5,
          name);
    }
    Map<String, INDArray> gd = TestArrays.gradientArrays(dbl);
    Map<String, INDArray> gf = TestArrays.gradientArrays(flt);
    Map<String, INDArray> gfFromDouble = TestArrays.gradientArrays(flt);
    dbl.backward(td, dLdh.dup(), gd);
    flt.backward(tf, dLdh.castTo(DataType.FLOAT), gf);
    flt.backward(tf, dLdh, gfFromDouble); // double dL/dh into a float network
    for (String name : gd.keySet()) {
      assertEquals(DataType.FLOAT, gf.get(name).dataType());
      assertTrue(TestArrays.maxRelativeDifference(gf.get(name), gd.get(name)) < 1e-4, name);
      assertTrue(
          TestArrays.maxRelativeDifference(gfFromDouble.get(name), gd.get(name)) < 1e-4, name);
    }
  }

  /** An optimizer's in-place update of the live arrays is seen by the next forward pass. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void parameterUpdatesBetweenCallsAreSeen(C config) {
    CellNetwork net = network(config, DataType.DOUBLE, 4);
    int h = net.hiddenSize();
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = gaussian(rng, 4, 2, inputSize());
    INDArray h0 = net.initialState(2, rng);
    INDArray dLdh = gaussian(rng, 4, 2, h);
    Trajectory first = net.forward(x, h0);
    INDArray before = first.hidden().dup();
    net.backward(first, dLdh.dup(), TestArrays.gradientArrays(net));
    for (Parameter p : net.parameters()) {
      p.value().muli(1.25).addi(0.05);
    }
    Network fresh = network(config, DataType.DOUBLE, 99);
    TestArrays.copyParameters(net, fresh);
    Trajectory a = net.forward(x, h0);
    Trajectory b = fresh.forward(x, h0);
    TestArrays.assertIdentical(b.hidden(), a.hidden(), "hidden");
    assertTrue(
        TestArrays.maxRelativeDifference(a.hidden(), before) > 1e-3, "the update changed nothing");
    Map<String, INDArray> ga = TestArrays.gradientArrays(net);
    Map<String, INDArray> gb = TestArrays.gradientArrays(fresh);
    net.backward(a, dLdh.dup(), ga);
    fresh.backward(b, dLdh.dup(), gb);
    for (String name : ga.keySet()) {
      TestArrays.assertIdentical(gb.get(name), ga.get(name), name);
    }
  }

  /** Backward of a stale trajectory, and arrays of the wrong shape, are rejected. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void staleTrajectoriesAndBadShapesAreRejected(C config) {
    CellNetwork net = network(config, DataType.DOUBLE, 4);
    int h = net.hiddenSize();
    int in = inputSize();
    SplittableRandom rng = new SplittableRandom(1);
    Trajectory first = net.forward(gaussian(rng, 4, 2, in), net.initialState(2, rng));
    Trajectory second = net.forward(gaussian(rng, 4, 2, in), net.initialState(2, rng));
    Map<String, INDArray> g = TestArrays.gradientArrays(net);
    assertThrows(IllegalStateException.class, () -> net.backward(first, gaussian(rng, 4, 2, h), g));
    assertThrows(
        IllegalArgumentException.class, () -> net.backward(second, gaussian(rng, 3, 2, h), g));
    assertThrows(
        IllegalArgumentException.class,
        () -> net.forward(gaussian(rng, 4, 2, in + 1), net.initialState(2, rng)));
    assertThrows(
        IllegalArgumentException.class,
        () -> net.forward(gaussian(rng, 4, 2, in), net.initialState(3, rng)));
    for (String name : g.keySet()) {
      Map<String, INDArray> wrong = TestArrays.gradientArrays(net);
      long[] shape = wrong.get(name).shape().clone();
      shape[shape.length - 1] += 1;
      wrong.put(name, gaussian(rng, shape));
      assertThrows(
          IllegalArgumentException.class,
          () -> net.backward(second, gaussian(rng, 4, 2, h), wrong),
          name + " of the wrong shape");
    }
  }

  // ---- gradients and kernels ----

  /**
   * One step's VJP ({@link GradientCheck#checkStep}, B = 3 and B = 1) and BPTT of the network with
   * and without the model's kernel ({@link GradientCheck#checkNetwork}), in float64.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void gradientsMatchCentralDifferences(C config) {
    CellNetwork reference = network(config, DataType.DOUBLE, seed(), Networks.Kernels.OFF);
    GradientCheck.checkStep(reference.cell(), inputSize(), 3, seed() + 1, gradientTolerance());
    GradientCheck.checkStep(reference.cell(), inputSize(), 1, seed() + 2, gradientTolerance());
    for (Networks.Kernels kernels : Networks.Kernels.values()) {
      CellNetwork net = network(config, DataType.DOUBLE, seed(), kernels);
      SplittableRandom rng = new SplittableRandom(seed() + 3);
      INDArray x = gaussian(rng, 5, 2, inputSize());
      INDArray s0 = net.initialState(2, rng);
      GradientCheck.checkNetwork(net, x, s0, seed() + 4, gradientTolerance());
    }
  }

  /**
   * A {@link SequenceKernel.Provider}'s kernel gives what its cell gives ({@link
   * KernelCheck#assertMatchesCell}) in float32 and float64, wherever it offers one; a model that
   * offers no kernels always runs its cell.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void kernelMatchesTheCellWhereOneIsOffered(C config) {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      NetworkSpec spec = new NetworkSpec(inputSize(), type);
      String implementation = network(config, type, seed()).implementation();
      if (!(model() instanceof SequenceKernel.Provider) || implementation.equals("cell")) {
        KernelCheck.assertNoKernel(model(), config, spec);
        continue;
      }
      int[][] shapes = {{7, 5}, {4, 3}, {7, 5}, {1, 2}};
      assertEquals(
          implementation,
          KernelCheck.assertMatchesCell(
              model(),
              config,
              new KernelCheck.Setup(inputSize(), type, shapes, kernelTolerance(type), seed())));
    }
  }

  /** A model that provides kernels offers one in float32 for at least one configuration. */
  @Test
  public void aKernelProviderOffersAFloatKernelForSomeConfiguration() {
    if (!(model() instanceof SequenceKernel.Provider)) {
      for (C config : configs()) {
        assertEquals("cell", network(config, DataType.FLOAT, seed()).implementation());
      }
      return;
    }
    List<String> offered = new ArrayList<>();
    for (C config : configs()) {
      String implementation = network(config, DataType.FLOAT, seed()).implementation();
      if (!implementation.equals("cell")) {
        offered.add(implementation);
      }
    }
    assertFalse(
        offered.isEmpty(),
        model().info().id()
            + " is a SequenceKernel.Provider but"
            + " offers a float32 kernel for none of configs(); add a configuration it accelerates");
  }

  // ---- ablation and the Jacobian ----

  /**
   * Whether a unit's state reaches the other units through the recurrence. The ablation test
   * checks, as a control, that changing a unit changes the others in an intact network; a model
   * whose units are independent by design (a diagonal recurrence, as in IndRNN) returns false, and
   * the control then checks that they are.
   *
   * @return true by default
   */
  protected boolean unitsInteract() {
    return true;
  }

  /**
   * Ablating a unit holds it at exactly 0 at every step and changes no parameter; afterwards
   * nothing the unit still has (its initial state, its entries of every per-unit parameter, a drive
   * on it) reaches any other unit, bit for bit, while in an intact network the same change does;
   * BPTT through the ablated network still matches central differences; units outside [0, H) are
   * rejected naming the model and the unit.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void ablationHoldsTheUnitAtZeroAndCutsItOff(C config) {
    int steps = 12;
    int batch = 3;
    CellNetwork probe = network(config, DataType.DOUBLE, 5);
    int h = probe.hiddenSize();
    int s = probe.stateSize();
    for (int unit : new int[] {0, h - 1}) {
      String of = " (unit " + unit + ")";
      SplittableRandom rng = new SplittableRandom(29 + unit);
      INDArray x = gaussian(rng, steps, batch, inputSize());
      INDArray s0 = probe.initialState(batch, rng);
      INDArray s0Changed = s0.dup();
      for (int b = 0; b < batch; b++) {
        for (int col = unit; col < s; col += h) {
          s0Changed.putScalar(b, col, s0.getDouble(b, col) + 0.5 + b);
        }
      }
      CellNetwork ablated = network(config, DataType.DOUBLE, 5);
      CellNetwork changed = network(config, DataType.DOUBLE, 5);
      Map<String, INDArray> before = copy(parameterMap(ablated));
      ablated.ablate(unit);
      changed.ablate(unit);
      for (Parameter p : ablated.parameters()) {
        TestArrays.assertIdentical(
            before.get(p.name()),
            p.value(),
            p.name() + " is not changed by ablation (a state clamp)" + of);
      }
      changeTheUnitsOwnParameters(changed, unit);
      Trajectory ta = ablated.forward(x, s0);
      INDArray a = ta.hidden().dup();
      INDArray b = changed.forward(x, s0Changed).hidden().dup();
      assertEquals(
          0.0,
          a.get(all(), all(), point(unit)).amaxNumber().doubleValue(),
          0.0,
          "the ablated unit is exactly 0 at every step" + of);
      assertFinite("hidden" + of, a);
      assertOthersIdentical(a, b, unit, "its initial state and own parameters" + of);
      // Control: the same change reaches the other units of intact networks.
      CellNetwork intact = network(config, DataType.DOUBLE, 5);
      CellNetwork intactChanged = network(config, DataType.DOUBLE, 5);
      changeTheUnitsOwnParameters(intactChanged, unit);
      INDArray ia = intact.forward(x, s0).hidden().dup();
      INDArray ib = intactChanged.forward(x, s0Changed).hidden().dup();
      assertEquals(
          unitsInteract(),
          othersDiffer(ia, ib, unit),
          (unitsInteract()
                  ? "without ablation the unit must influence the others"
                  : "unitsInteract() is false, yet the unit influences the others")
              + of);
      if (ablated.cell() instanceof Cell.AcceptsDrive) {
        INDArray drive = Nd4j.zeros(DataType.DOUBLE, steps, batch, h);
        for (int t = 0; t < steps; t++) {
          for (int q = 0; q < batch; q++) {
            drive.putScalar(new long[] {t, q, unit}, TestArrays.gaussian(rng));
          }
        }
        INDArray withDrive = ablated.forward(x, s0, drive).hidden().dup();
        assertOthersIdentical(a, withDrive, unit, "a drive on it" + of);
      }
      GradientCheck.checkNetwork(
          ablated,
          gaussian(rng, 5, 2, inputSize()),
          ablated.initialState(2, rng),
          seed() + unit,
          gradientTolerance());
    }
    CellNetwork net = network(config, DataType.DOUBLE, 3);
    Map<String, INDArray> before = copy(parameterMap(net));
    String id = model().info().id();
    for (int bad : new int[] {-1, h, h + 5}) {
      String message =
          assertThrows(IndexOutOfBoundsException.class, () -> net.ablate(bad)).getMessage();
      assertTrue(
          message.contains("unit " + bad)
              && message.contains(String.valueOf(h))
              && message.contains(id),
          message);
    }
    for (Parameter p : net.parameters()) {
      TestArrays.assertIdentical(before.get(p.name()), p.value(), p.name());
    }
  }

  /**
   * {@link Network#jacobian} is {@code [S, S]} and equals central differences of the cell's step
   * with respect to the state, in float64, at a random state and input.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void jacobianIsTheDerivativeOfTheStep(C config) {
    CellNetwork net = network(config, DataType.DOUBLE, seed());
    int s = net.stateSize();
    SplittableRandom rng = new SplittableRandom(seed() + 9);
    INDArray state = gaussian(rng, s).muli(0.5);
    INDArray input = gaussian(rng, inputSize());
    INDArray jacobian = net.jacobian(state, input);
    assertArrayEquals(new long[] {s, s}, jacobian.shape(), "the Jacobian is [S, S]");
    assertFinite("Jacobian", jacobian);
    Cell cell = net.cell();
    INDArray row = state.reshape(1, s).dup();
    INDArray x = input.reshape(1, inputSize()).dup();
    INDArray numeric = Nd4j.create(DataType.DOUBLE, s, s);
    for (int j = 0; j < s; j++) {
      double orig = row.getDouble(0, j);
      row.putScalar(0, j, orig + GradientCheck.EPS);
      INDArray plus = cell.step(row, x, null).next().dup();
      row.putScalar(0, j, orig - GradientCheck.EPS);
      INDArray minus = cell.step(row, x, null).next().dup();
      row.putScalar(0, j, orig);
      numeric.getColumn(j).assign(plus.sub(minus).divi(2 * GradientCheck.EPS).reshape(s));
    }
    GradientCheck.assertClose("Jacobian", jacobian, numeric, gradientTolerance());
  }

  private static Map<String, INDArray> parameterMap(Network net) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      m.put(p.name(), p.value());
    }
    return m;
  }

  /** Adds 0.3 + 0.1·k to entry unit + k·H of every per-unit parameter. */
  private void changeTheUnitsOwnParameters(CellNetwork net, int unit) {
    int h = net.hiddenSize();
    Set<String> perUnit = perUnitParameters(net);
    for (Parameter p : net.parameters()) {
      if (perUnit.contains(p.name())) {
        for (long k = unit, block = 0; k < p.value().length(); k += h, block++) {
          p.value().putScalar(k, p.value().getDouble(k) + 0.3 + 0.1 * block);
        }
      }
    }
  }

  /** Every unit but {@code unit}, every step and sequence, compared with == (+0 equals −0). */
  private static void assertOthersIdentical(INDArray a, INDArray b, int unit, String change) {
    double[][][] x = TestArrays.to3d(a);
    double[][][] y = TestArrays.to3d(b);
    for (int t = 0; t < x.length; t++) {
      for (int q = 0; q < x[t].length; q++) {
        for (int j = 0; j < x[t][q].length; j++) {
          if (j != unit && !(x[t][q][j] == y[t][q][j])) {
            throw new AssertionError(
                "unit "
                    + j
                    + " at step "
                    + t
                    + ", sequence "
                    + q
                    + ": "
                    + x[t][q][j]
                    + " vs "
                    + y[t][q][j]
                    + " — it still sees the ablated unit through "
                    + change);
          }
        }
      }
    }
  }

  private static boolean othersDiffer(INDArray a, INDArray b, int unit) {
    double[][][] x = TestArrays.to3d(a);
    double[][][] y = TestArrays.to3d(b);
    for (int t = 0; t < x.length; t++) {
      for (int q = 0; q < x[t].length; q++) {
        for (int j = 0; j < x[t][q].length; j++) {
          if (j != unit && x[t][q][j] != y[t][q][j]) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static void assertFinite(String what, INDArray a) {
    double[] values = a.castTo(DataType.DOUBLE).dup().data().asDouble();
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new AssertionError(what + "[" + i + "] is " + values[i]);
      }
    }
  }
}
