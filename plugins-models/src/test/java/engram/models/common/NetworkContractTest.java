package engram.models.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.api.config.Doc;
import engram.models.gru.GruModel;
import engram.models.leaky.LeakyRnnModel;
import engram.models.lstm.LstmModel;
import engram.models.plrnn.PlrnnModel;
import engram.models.rankone.RankOneRnnModel;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every recurrent model must do: reused buffers, views and types behave like a fresh network,
 * stale trajectories and wrong shapes are rejected, initialisation is deterministic and the
 * configuration is documented and valid by default. Model-specific behaviour is tested next to
 * each model.
 */
class NetworkContractTest {
  private static final int H = 7;
  private static final int I = 2;

  /**
   * One model in one configuration: {@code extras} names every entry of {@link
   * Trajectory#extras()} with its last dimension (the others are [T, B]).
   */
  record Case(String name, Model<?> model, Record config, Map<String, Integer> extras) {
    @SuppressWarnings({"rawtypes", "unchecked"}) // Model<?>: the config record is checked by the model
    Network network(DataType type, long seed) {
      return ((Model) model).create(config, new NetworkSpec(I, type), new SplittableRandom(seed));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, Integer> widths(Object... nameWidth) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int k = 0; k < nameWidth.length; k += 2) {
      m.put((String) nameWidth[k], (Integer) nameWidth[k + 1]);
    }
    return m;
  }

  private static Case leaky(LeakyRnnModel.Nonlinearity nonlinearity, LeakyRnnModel.Phi phi) {
    double slope = nonlinearity == LeakyRnnModel.Nonlinearity.RELU ? 0 : 0.01;
    return new Case("leaky-rnn (" + nonlinearity + ", φ " + phi + ")", new LeakyRnnModel(),
        new LeakyRnnModel.Config(H, nonlinearity, slope, phi, true, 1.0, 2.0, 1.0, 0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM, 1.0),
        widths("pre", H));
  }

  /** τ leak: "off", "trained" or "fixed" (τ = 2.5, not trainable). */
  private static Case gru(String leak) {
    return new Case("gru (leak " + leak + ")", new GruModel(),
        new GruModel.Config(H, !leak.equals("off"), 1.0, 2.0, !leak.equals("fixed"), 2.5,
            GruModel.InitialState.RANDOM, 0.5),
        widths("r", H, "z", H, "n", H));
  }

  private static Case lstm(boolean leak) {
    return new Case("lstm (leak " + leak + ")", new LstmModel(),
        new LstmModel.Config(H, leak, 1.0, 2.0, true, 1.0, LstmModel.InitialState.RANDOM, 0.1),
        widths("c", H, "i", H, "f", H, "g", H, "o", H));
  }

  private static Case plrnn() {
    return new Case("plrnn", new PlrnnModel(),
        new PlrnnModel.Config(H, 0.9, 1.0, PlrnnModel.InitialState.RANDOM, 0.1), widths("rates", H));
  }

  private static Case rankOne() {
    return new Case("rank-one-rnn", new RankOneRnnModel(),
        new RankOneRnnModel.Config(H, 1.0, 2.5, 1.0, RankOneRnnModel.InitialState.RANDOM, 0.1),
        widths("rates", H, "kappa", 1));
  }

  /** Every model in each of the configurations that change its buffers or parameters. */
  static Stream<Case> networks() {
    Stream<Case> leaky = Stream.of(LeakyRnnModel.Nonlinearity.values())
        .flatMap(n -> Stream.of(LeakyRnnModel.Phi.values()).map(phi -> leaky(n, phi)));
    return Stream.concat(leaky, Stream.of(
        gru("off"), gru("trained"), gru("fixed"),
        lstm(false), lstm(true),
        plrnn(), rankOne()));
  }

  /** Every model once. */
  static Stream<Case> models() {
    return Stream.of(leaky(LeakyRnnModel.Nonlinearity.LEAKY_RELU, LeakyRnnModel.Phi.OUTSIDE), gru("off"), lstm(false), plrnn(), rankOne());
  }

  private static INDArray gaussian(SplittableRandom rng, long... shape) {
    return ModelTestSupport.gaussian(rng, DataType.DOUBLE, shape);
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> extras) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    extras.forEach((k, v) -> m.put(k, v.dup()));
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void growingAndShrinkingShapesMatchFreshNetworksBitForBit(Case c) {
    Network reused = c.network(DataType.DOUBLE, 3);
    int[][] shapes = {{5, 2}, {12, 4}, {3, 1}, {12, 4}, {1, 3}, {8, 6}, {2, 5}, {2, 2}};
    SplittableRandom rng = new SplittableRandom(77);
    for (int[] shape : shapes) {
      int steps = shape[0];
      int batch = shape[1];
      String at = " for T=" + steps + ", B=" + batch;
      INDArray x = gaussian(rng, steps, batch, I);
      INDArray h0 = reused.initialState(batch, rng);
      INDArray dLdh = gaussian(rng, steps, batch, H);
      Network fresh = c.network(DataType.DOUBLE, 3);

      Trajectory a = reused.forward(x, h0);
      Trajectory b = fresh.forward(x, h0);
      assertArrayEquals(new long[] {steps, batch, H}, a.hidden().shape());
      ModelTestSupport.assertIdentical(b.hidden(), a.hidden(), "hidden" + at);
      ModelTestSupport.assertIdentical(h0, a.initialState(), "initial state" + at);
      assertEquals(0, a.initialState().offset(), "initial state offset" + at);
      assertEquals(c.extras().keySet(), a.extras().keySet(), "extras" + at);
      for (Map.Entry<String, Integer> e : c.extras().entrySet()) {
        INDArray extra = a.extras().get(e.getKey());
        assertArrayEquals(new long[] {steps, batch, e.getValue()}, extra.shape(), e.getKey() + at);
        ModelTestSupport.assertIdentical(b.extras().get(e.getKey()), extra, e.getKey() + at);
      }
      Map<String, INDArray> extrasBefore = copy(a.extras());
      Map<String, INDArray> ga = ModelTestSupport.gradientArrays(reused);
      Map<String, INDArray> gb = ModelTestSupport.gradientArrays(fresh);
      reused.backward(a, dLdh.dup(), ga);
      fresh.backward(b, dLdh.dup(), gb);
      for (String name : ga.keySet()) {
        ModelTestSupport.assertIdentical(gb.get(name), ga.get(name), name + at);
      }
      // backward leaves the trajectory (hidden states and extras) as it was.
      ModelTestSupport.assertIdentical(b.hidden(), a.hidden(), "hidden after backward" + at);
      for (Map.Entry<String, INDArray> e : extrasBefore.entrySet()) {
        ModelTestSupport.assertIdentical(e.getValue(), a.extras().get(e.getKey()), e.getKey() + " after backward" + at);
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
        ModelTestSupport.assertIdentical(last, arr.get(point(steps - 1), all(), all()), "get " + e.getKey() + at);
        ModelTestSupport.assertIdentical(last, arr.tensorAlongDimension(steps - 1, 1, 2), "tad " + e.getKey() + at);
      }
      ModelTestSupport.assertIdentical(
          b.hidden().get(point(steps - 1), all(), all()), a.hidden().slice(steps - 1), "last" + at);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void gradientDoesNotDependOnHowDldhIsStored(Case c) {
    Network net = c.network(DataType.DOUBLE, 8);
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 6;
    int batch = 3;
    INDArray x = gaussian(rng, steps, batch, I);
    INDArray h0 = net.initialState(batch, rng);
    INDArray big = gaussian(rng, steps + 2, batch, H);
    INDArray dLdh = big.get(interval(2, steps + 2), all(), all()); // a view at a non-zero offset
    INDArray reference = dLdh.dup();

    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> plain = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.dup(), plain);
    Map<String, INDArray> fromView = ModelTestSupport.gradientArrays(net);
    net.backward(traj, dLdh, fromView); // also: backward twice on one trajectory
    Map<String, INDArray> fromFloat = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.castTo(DataType.FLOAT), fromFloat); // copied, not in place
    Map<String, INDArray> fromFortran = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.dup('f'), fromFortran);
    for (String name : plain.keySet()) {
      assertTrue(plain.get(name).norm2Number().doubleValue() > 0, name);
      ModelTestSupport.assertIdentical(plain.get(name), fromView.get(name), name + " (view)");
      ModelTestSupport.assertIdentical(plain.get(name), fromFortran.get(name), name + " (f order)");
      assertTrue(ModelTestSupport.maxRelativeDifference(fromFloat.get(name), plain.get(name)) < 1e-6, name + " (float)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void floatNetworkAgreesWithDoubleAndAcceptsOtherInputTypes(Case c) {
    Network dbl = c.network(DataType.DOUBLE, 4);
    Network flt = c.network(DataType.FLOAT, 4);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = gaussian(rng, 9, 4, I);
    INDArray h0 = dbl.initialState(4, rng);
    INDArray dLdh = gaussian(rng, 9, 4, H);
    Trajectory td = dbl.forward(x, h0);
    Trajectory tf = flt.forward(x, h0); // double inputs and h0 into a float network
    assertEquals(DataType.FLOAT, tf.hidden().dataType());
    assertTrue(ModelTestSupport.maxRelativeDifference(tf.hidden(), td.hidden()) < 1e-5);
    for (String name : c.extras().keySet()) {
      assertEquals(DataType.FLOAT, tf.extras().get(name).dataType(), name);
      assertTrue(ModelTestSupport.maxRelativeDifference(tf.extras().get(name), td.extras().get(name)) < 1e-5, name);
    }
    Map<String, INDArray> gd = ModelTestSupport.gradientArrays(dbl);
    Map<String, INDArray> gf = ModelTestSupport.gradientArrays(flt);
    Map<String, INDArray> gfFromDouble = ModelTestSupport.gradientArrays(flt);
    dbl.backward(td, dLdh.dup(), gd);
    flt.backward(tf, dLdh.castTo(DataType.FLOAT), gf);
    flt.backward(tf, dLdh, gfFromDouble); // double dL/dh into a float network
    for (String name : gd.keySet()) {
      assertEquals(DataType.FLOAT, gf.get(name).dataType());
      assertTrue(ModelTestSupport.maxRelativeDifference(gf.get(name), gd.get(name)) < 1e-4, name);
      assertTrue(ModelTestSupport.maxRelativeDifference(gfFromDouble.get(name), gd.get(name)) < 1e-4, name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void parameterUpdatesBetweenCallsAreSeen(Case c) {
    Network net = c.network(DataType.DOUBLE, 4);
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = gaussian(rng, 4, 2, I);
    INDArray h0 = net.initialState(2, rng);
    INDArray dLdh = gaussian(rng, 4, 2, H);
    Trajectory first = net.forward(x, h0);
    INDArray before = first.hidden().dup();
    net.backward(first, dLdh.dup(), ModelTestSupport.gradientArrays(net));
    // An optimizer updates the live arrays in place (every parameter, τ included).
    for (Parameter p : net.parameters()) {
      p.value().muli(1.25).addi(0.05);
    }
    Network fresh = c.network(DataType.DOUBLE, 99);
    ModelTestSupport.copyParameters(net, fresh);
    Trajectory a = net.forward(x, h0);
    Trajectory b = fresh.forward(x, h0);
    ModelTestSupport.assertIdentical(b.hidden(), a.hidden(), "hidden");
    assertTrue(ModelTestSupport.maxRelativeDifference(a.hidden(), before) > 1e-3, "the update changed nothing");
    Map<String, INDArray> ga = ModelTestSupport.gradientArrays(net);
    Map<String, INDArray> gb = ModelTestSupport.gradientArrays(fresh);
    net.backward(a, dLdh.dup(), ga);
    fresh.backward(b, dLdh.dup(), gb);
    for (String name : ga.keySet()) {
      ModelTestSupport.assertIdentical(gb.get(name), ga.get(name), name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void staleTrajectoriesAndBadShapesAreRejected(Case c) {
    Network net = c.network(DataType.DOUBLE, 4);
    SplittableRandom rng = new SplittableRandom(1);
    Trajectory first = net.forward(gaussian(rng, 4, 2, I), net.initialState(2, rng));
    Trajectory second = net.forward(gaussian(rng, 4, 2, I), net.initialState(2, rng));
    Map<String, INDArray> g = ModelTestSupport.gradientArrays(net);
    assertThrows(IllegalStateException.class, () -> net.backward(first, gaussian(rng, 4, 2, H), g));
    assertThrows(IllegalArgumentException.class, () -> net.backward(second, gaussian(rng, 3, 2, H), g));
    assertThrows(IllegalArgumentException.class,
        () -> net.forward(gaussian(rng, 4, 2, I + 1), net.initialState(2, rng)));
    assertThrows(IllegalArgumentException.class,
        () -> net.forward(gaussian(rng, 4, 2, I), net.initialState(3, rng)));
    for (String name : g.keySet()) {
      Map<String, INDArray> wrong = ModelTestSupport.gradientArrays(net);
      long[] shape = wrong.get(name).shape().clone();
      shape[shape.length - 1] += 1;
      wrong.put(name, gaussian(rng, shape));
      assertThrows(IllegalArgumentException.class,
          () -> net.backward(second, gaussian(rng, 4, 2, H), wrong), name + " of the wrong shape");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void sameSeedGivesIdenticalParametersAndInitialStates(Case c) {
    Network a = c.network(DataType.DOUBLE, 42);
    Network b = c.network(DataType.DOUBLE, 42);
    Network other = c.network(DataType.DOUBLE, 43);
    assertEquals(names(a), names(b));
    assertEquals(names(a), names(other));
    for (Parameter p : a.parameters()) {
      ModelTestSupport.assertIdentical(p.value(), ModelTestSupport.param(b, p.name()), p.name());
      boolean drawn = p.value().maxNumber().doubleValue() > p.value().minNumber().doubleValue();
      if (drawn) { // constant initialisations (biases at 0, a fixed τ) do not depend on the seed
        assertNotEquals(p.value(), ModelTestSupport.param(other, p.name()), p.name());
      }
    }
    INDArray h0a = a.initialState(7, new SplittableRandom(3));
    ModelTestSupport.assertIdentical(h0a, b.initialState(7, new SplittableRandom(3)), "initial state");
    assertNotEquals(h0a, a.initialState(7, new SplittableRandom(4)));
  }

  private static List<String> names(Network net) {
    return net.parameters().stream().map(Parameter::name).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void everyConfigComponentIsDocumented(Case c) {
    Class<?> type = c.model().configType();
    assertTrue(type.getRecordComponents().length > 0);
    for (RecordComponent rc : type.getRecordComponents()) {
      Doc doc = rc.getAnnotation(Doc.class);
      assertNotNull(doc, rc.getName() + " has no @Doc");
      assertFalse(doc.value().isBlank(), rc.getName());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  @SuppressWarnings({"rawtypes", "unchecked"}) // Model<?>: the config record is its own
  void defaultsAreValid(Case c) throws ReflectiveOperationException {
    Model model = c.model();
    Record d = model.defaults();
    assertNotNull(d);
    assertEquals(model.configType(), d.getClass());
    assertEquals(c.config().getClass(), d.getClass());
    // The canonical constructor (which checks every value) accepts the defaults as they are.
    RecordComponent[] rcs = d.getClass().getRecordComponents();
    Class<?>[] types = new Class<?>[rcs.length];
    Object[] values = new Object[rcs.length];
    for (int k = 0; k < rcs.length; k++) {
      types[k] = rcs[k].getType();
      values[k] = rcs[k].getAccessor().invoke(d);
    }
    Constructor<?> canonical = d.getClass().getDeclaredConstructor(types);
    assertEquals(d, canonical.newInstance(values));
    assertFalse(model.info().id().isBlank());
    assertFalse(model.info().description().isBlank());
    Network net = model.create(d, new NetworkSpec(I, DataType.FLOAT), new SplittableRandom(1));
    assertTrue(net.hiddenSize() >= 1);
    assertFalse(net.parameters().isEmpty());
    SplittableRandom rng = new SplittableRandom(2);
    Trajectory t = net.forward(ModelTestSupport.gaussian(rng, DataType.FLOAT, 2, 1, I), net.initialState(1, rng));
    assertArrayEquals(new long[] {2, 1, net.hiddenSize()}, t.hidden().shape());
  }
}
