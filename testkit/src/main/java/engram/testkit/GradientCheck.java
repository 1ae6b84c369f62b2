package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Regularizer;
import engram.api.Trajectory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences against hand-written gradients, in float64: of one cell step ({@link
 * #checkStep}), of a whole network over a sequence ({@link #checkNetwork}), of a regularizer's
 * terms ({@link #checkRegularizer}). The loss is L = Σ w ⊙ out with dense random weights w (so
 * every entry of the output counts), out being the step's new state and its differentiable extras,
 * or the trajectory's hidden states and differentiable extras. Every free entry of every trainable
 * parameter is perturbed by ±{@link #EPS}; entries a {@link Constraint} holds fixed are skipped
 * (their analytic gradient must be 0).
 *
 * <p>A check fails when the norm-wise relative error exceeds the tolerance, or when one entry
 * differs by more than tolerance·max(|analytic|, |numeric|) + 1e-8; it also fails on a gradient
 * that is identically zero, which usually means it was never written.
 */
public final class GradientCheck {
  /** The finite-difference step. */
  public static final double EPS = 1e-6;

  /** The default tolerance (relative), loose enough for central differences in float64. */
  public static final double TOLERANCE = 1e-5;

  private GradientCheck() {}

  /**
   * Checks one step's VJP: dL/ds_{t−1}, dL/dx_t and dL/dθ for every trainable parameter, with L = Σ
   * w ⊙ s_t + Σ v ⊙ (each differentiable extra), at a random state and input.
   *
   * @param cell a cell created with {@code DataType.DOUBLE}
   * @param inputSize I
   * @param batch B ≥ 1
   * @param seed draws the state, input, drive and weights
   * @param tolerance relative tolerance ({@link #TOLERANCE} is a good start)
   */
  public static void checkStep(Cell cell, int inputSize, int batch, long seed, double tolerance) {
    requireDouble(cell);
    SplittableRandom rng = new SplittableRandom(seed);
    int s = cell.stateSize();
    INDArray prev = gaussian(rng, 0.5, batch, s);
    INDArray x = gaussian(rng, 1.0, batch, inputSize);
    INDArray drive =
        cell instanceof Cell.AcceptsDrive ? gaussian(rng, 0.3, batch, cell.hiddenSize()) : null;
    INDArray w = gaussian(rng, 1.0, batch, s);
    Map<String, INDArray> v = new LinkedHashMap<>();
    if (cell instanceof Cell.DifferentiableExtras d) {
      for (String name : d.differentiableExtras()) {
        v.put(name, gaussian(rng, 1.0, batch, cell.extras().get(name)));
      }
    }
    DoubleSupplier loss =
        () -> {
          Cell.Step st = cell.step(prev, x, drive);
          double l = st.next().mul(w).sumNumber().doubleValue();
          for (Map.Entry<String, INDArray> e : v.entrySet()) {
            l += st.extras().get(e.getKey()).mul(e.getValue()).sumNumber().doubleValue();
          }
          return l;
        };
    Map<String, INDArray> grads = new HashMap<>();
    for (Parameter p : cell.parameters()) {
      grads.put(p.name(), p.value().ulike().assign(0));
    }
    Cell.StepGradients g = cell.vjp(cell.step(prev, x, drive), w, v, grads);
    assertClose("dL/ds_{t−1}", g.previous(), numeric(prev, null, loss), tolerance);
    assertClose("dL/dx_t", g.input(), numeric(x, null, loss), tolerance);
    for (Parameter p : cell.parameters()) {
      if (p.trainable()) {
        assertClose(
            p.name(), masked(grads.get(p.name()), p), numeric(p.value(), p, loss), tolerance);
      }
    }
  }

  /**
   * Checks a whole network's BPTT: L = Σ w ⊙ h_{1..T} + Σ v ⊙ (each differentiable extra) against
   * {@link Network#backward}, for every trainable parameter.
   *
   * @param network a network of {@code DataType.DOUBLE}
   * @param inputs {@code [T, B, I]}
   * @param s0 {@code [B, S]}
   * @param seed draws the weights w and v
   * @param tolerance relative tolerance
   * @return the analytic gradients by parameter name
   */
  public static Map<String, INDArray> checkNetwork(
      Network network, INDArray inputs, INDArray s0, long seed, double tolerance) {
    SplittableRandom rng = new SplittableRandom(seed);
    Trajectory trajectory = network.forward(inputs, s0);
    INDArray w = gaussian(rng, 1.0, trajectory.hidden().shape());
    Map<String, INDArray> v = new LinkedHashMap<>();
    for (String name : network.differentiableExtras()) {
      v.put(name, gaussian(rng, 1.0, trajectory.extras().get(name).shape()));
    }
    Map<String, INDArray> grads = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        grads.put(p.name(), p.value().ulike().assign(0));
      }
    }
    Map<String, INDArray> vCopy = new HashMap<>();
    v.forEach((k, a) -> vCopy.put(k, a.dup()));
    network.backward(trajectory, w.dup(), vCopy, grads);
    DoubleSupplier loss =
        () -> {
          Trajectory t = network.forward(inputs, s0);
          double l = t.hidden().mul(w).sumNumber().doubleValue();
          for (Map.Entry<String, INDArray> e : v.entrySet()) {
            l += t.extras().get(e.getKey()).mul(e.getValue()).sumNumber().doubleValue();
          }
          return l;
        };
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        assertClose(p.name(), grads.get(p.name()), numeric(p.value(), p, loss), tolerance);
      }
    }
    return grads;
  }

  /**
   * The values of a regularizer's two terms at a probe.
   *
   * @param hidden what {@link Regularizer#onHidden} returned
   * @param parameters what {@link Regularizer#onParameters} returned
   */
  public record RegularizerTerms(double hidden, double parameters) {}

  /**
   * Checks both terms of a regularizer against central differences of their own values, in float64.
   * {@link Regularizer#onHidden}: its value against what it added to dL/dh (with respect to every
   * hidden state) and to the gradient buffer of every extra it asked for (with respect to that
   * extra). {@link Regularizer#onParameters}: its value against what it added to the gradient of
   * every trainable parameter (entries a {@link Constraint} holds fixed are zeroed first, as core
   * does). {@link Regularizer#perturb} is not a loss term and is not checked.
   *
   * <p>Gradient buffers start with random values, so a term that overwrites instead of adding
   * fails; a term must leave the hidden states, extras and parameters as they were, return a finite
   * value, and return the same value when called again. A gradient may be identically zero only
   * where the finite differences are too (a term on the hidden states has none for the parameters).
   * Norm-wise, ‖analytic − numeric‖ ≤ tolerance·max(‖analytic‖, ‖numeric‖), and per entry |analytic
   * − numeric| ≤ tolerance·max(|analytic|, |numeric|) + 1e-9·max(|L|, 0.01): the last part covers
   * the rounding of central differences of L in float64 (about 2e-10·|L|).
   *
   * @param regularizer the regularizer
   * @param config its configuration
   * @param probe the trajectory, batch and parameters (float64)
   * @param tolerance relative tolerance; 1e-6 suits smooth terms
   * @param <C> the configuration record
   * @return the two values
   */
  public static <C extends Record> RegularizerTerms checkRegularizer(
      Regularizer<C> regularizer, C config, RegularizerProbe probe, double tolerance) {
    String id = regularizer.info().id();
    SplittableRandom rng = new SplittableRandom(12345);
    INDArray hidden = probe.hidden();
    if (hidden.dataType() != DataType.DOUBLE) {
      fail("regularizer checks need a float64 probe; the hidden states are " + hidden.dataType());
    }
    INDArray hiddenBefore = hidden.dup();
    Map<String, INDArray> extrasBefore = new LinkedHashMap<>();
    probe.extras().forEach((k, v) -> extrasBefore.put(k, v.dup()));
    // onHidden: prefilled buffers, so that an overwrite shows
    INDArray dLdh = gaussian(rng, 1.0, hidden.shape());
    INDArray dLdhBefore = dLdh.dup();
    Map<String, INDArray> extraGrads = new LinkedHashMap<>();
    Map<String, INDArray> extraGradsBefore = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : probe.extras().entrySet()) {
      INDArray g = gaussian(rng, 1.0, e.getValue().shape());
      extraGrads.put(e.getKey(), g);
      extraGradsBefore.put(e.getKey(), g.dup());
    }
    Set<String> asked = new TreeSet<>();
    double hiddenValue =
        regularizer.onHidden(
            config,
            hiddenInput(
                probe,
                dLdh,
                name -> {
                  asked.add(name);
                  return extraBuffer(extraGrads, name);
                }));
    assertTrue(Double.isFinite(hiddenValue), id + ": onHidden returned " + hiddenValue);
    assertEquals(
        hiddenValue,
        hiddenTerm(regularizer, config, probe),
        0.0,
        id + ": onHidden must return the same value when called again");
    assertArraysEqual(id + ": onHidden changed the hidden states", hiddenBefore, hidden);
    extrasBefore.forEach(
        (k, v) ->
            assertArraysEqual(id + ": onHidden changed the extra " + k, v, probe.extras().get(k)));
    double floor = 1e-9 * Math.max(Math.abs(hiddenValue), 1e-2);
    DoubleSupplier hiddenLoss = () -> hiddenTerm(regularizer, config, probe);
    closeOrBothZero(
        id + " dL/dh", dLdh.sub(dLdhBefore), numeric(hidden, null, hiddenLoss), tolerance, floor);
    for (Map.Entry<String, INDArray> e : probe.extras().entrySet()) {
      INDArray numeric = numeric(e.getValue(), null, hiddenLoss);
      if (asked.contains(e.getKey())) {
        closeOrBothZero(
            id + " dL/d" + e.getKey(),
            extraGrads.get(e.getKey()).sub(extraGradsBefore.get(e.getKey())),
            numeric,
            tolerance,
            floor);
      } else {
        assertEquals(
            0.0,
            numeric.amaxNumber().doubleValue(),
            0.0,
            id
                + ": the value depends"
                + " on the extra '"
                + e.getKey()
                + "' but its gradient was never asked for");
      }
    }
    // onParameters
    Map<String, INDArray> paramsBefore = new LinkedHashMap<>();
    Map<String, INDArray> grads = new LinkedHashMap<>();
    Map<String, INDArray> gradsBefore = new LinkedHashMap<>();
    for (Parameter p : probe.parameters()) {
      paramsBefore.put(p.name(), p.value().dup());
      if (p.trainable()) {
        INDArray g = gaussian(rng, 1.0, p.value().shape()).castTo(p.value().dataType());
        grads.put(p.name(), g);
        gradsBefore.put(p.name(), g.dup());
      }
    }
    double parameterValue =
        regularizer.onParameters(
            config, new Regularizer.ParameterInput(probe.parameters(), grads, probe.step()));
    assertTrue(Double.isFinite(parameterValue), id + ": onParameters returned " + parameterValue);
    assertEquals(
        parameterValue,
        parameterTerm(regularizer, config, probe),
        0.0,
        id + ": onParameters must return the same value when called again");
    assertEquals(
        gradsBefore.keySet(),
        grads.keySet(),
        id + ": onParameters changed which" + " gradients there are");
    for (Parameter p : probe.parameters()) {
      assertArraysEqual(
          id + ": onParameters changed the parameter " + p.name(),
          paramsBefore.get(p.name()),
          p.value());
    }
    double parameterFloor = 1e-9 * Math.max(Math.abs(parameterValue), 1e-2);
    for (Parameter p : probe.parameters()) {
      if (p.trainable()) {
        INDArray analytic = masked(grads.get(p.name()).sub(gradsBefore.get(p.name())), p);
        closeOrBothZero(
            id + " dL/d" + p.name(),
            analytic,
            numeric(p.value(), p, () -> parameterTerm(regularizer, config, probe)),
            tolerance,
            parameterFloor);
      }
    }
    return new RegularizerTerms(hiddenValue, parameterValue);
  }

  private static Regularizer.HiddenInput hiddenInput(
      RegularizerProbe probe, INDArray dLdh, Regularizer.ExtraGradients grads) {
    return new Regularizer.HiddenInput(
        probe.hidden(), dLdh, probe.batch(), probe.step(), probe.accuracy(), probe.extras(), grads);
  }

  private static INDArray extraBuffer(Map<String, INDArray> buffers, String name) {
    INDArray g = buffers.get(name);
    if (g == null) {
      throw new IllegalArgumentException(
          "this model cannot backpropagate from '"
              + name
              + "'; it can from "
              + (buffers.isEmpty() ? "none of its extras" : buffers.keySet()));
    }
    return g;
  }

  /** onHidden's value with scratch gradient buffers. */
  private static <C extends Record> double hiddenTerm(
      Regularizer<C> regularizer, C config, RegularizerProbe probe) {
    Map<String, INDArray> scratch = new HashMap<>();
    probe.extras().forEach((k, v) -> scratch.put(k, v.ulike()));
    return regularizer.onHidden(
        config, hiddenInput(probe, probe.hidden().ulike(), name -> extraBuffer(scratch, name)));
  }

  /** onParameters' value with scratch gradient arrays. */
  private static <C extends Record> double parameterTerm(
      Regularizer<C> regularizer, C config, RegularizerProbe probe) {
    Map<String, INDArray> scratch = new LinkedHashMap<>();
    for (Parameter p : probe.parameters()) {
      if (p.trainable()) {
        scratch.put(p.name(), p.value().ulike());
      }
    }
    return regularizer.onParameters(
        config, new Regularizer.ParameterInput(probe.parameters(), scratch, probe.step()));
  }

  /** {@link #assertClose} with an absolute floor, passing when both are identically zero. */
  private static void closeOrBothZero(
      String name, INDArray analytic, INDArray numeric, double tolerance, double floor) {
    double a = analytic.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
    double n = numeric.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
    if (a == 0 && n <= floor) {
      return;
    }
    assertEquals(
        java.util.Arrays.toString(numeric.shape()),
        java.util.Arrays.toString(analytic.shape()),
        name + ": shape");
    double[] x = analytic.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] y = numeric.castTo(DataType.DOUBLE).dup().data().asDouble();
    double diff = 0;
    double normA = 0;
    double normN = 0;
    for (int i = 0; i < x.length; i++) {
      diff += (x[i] - y[i]) * (x[i] - y[i]);
      normA += x[i] * x[i];
      normN += y[i] * y[i];
    }
    assertTrue(
        Math.sqrt(diff)
            <= tolerance * Math.sqrt(Math.max(normA, normN)) + floor * Math.sqrt(x.length),
        name + ": relative error " + Math.sqrt(diff / Math.max(Math.max(normA, normN), 1e-300)));
    for (int i = 0; i < x.length; i++) {
      double tol = tolerance * Math.max(Math.abs(x[i]), Math.abs(y[i])) + floor;
      if (!(Math.abs(x[i] - y[i]) <= tol)) {
        fail(name + "[" + i + "]: analytic " + x[i] + " vs numeric " + y[i]);
      }
    }
    assertTrue(
        a > 0,
        name
            + ": no gradient was added, but the value changes with it (numeric"
            + " max "
            + n
            + ")");
  }

  private static void assertArraysEqual(String message, INDArray expected, INDArray actual) {
    double[] e = expected.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] a = actual.castTo(DataType.DOUBLE).dup().data().asDouble();
    if (!java.util.Arrays.equals(e, a)) {
      fail(message);
    }
  }

  /**
   * Central differences of {@code loss} with respect to every entry of {@code array} (every free
   * entry, for a parameter with a constraint); fixed entries get 0.
   *
   * @param array the array to perturb in place (restored afterwards)
   * @param parameter the parameter it is, for its constraint; null for none
   * @param loss evaluates L
   * @return dL/d(array), float64, of the array's shape
   */
  public static INDArray numeric(INDArray array, Parameter parameter, DoubleSupplier loss) {
    if (array.isView() || array.ordering() != 'c') {
      throw new IllegalArgumentException("finite differences need a dense C-order array");
    }
    INDArray flat = array.reshape(array.length());
    INDArray free =
        parameter != null && parameter.constraint() instanceof Constraint.Mask m
            ? m.free().reshape(array.length())
            : null;
    INDArray out = Nd4j.create(DataType.DOUBLE, array.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      if (free != null && free.getDouble(i) == 0.0) {
        continue;
      }
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + EPS);
      double plus = loss.getAsDouble();
      flat.putScalar(i, orig - EPS);
      double minus = loss.getAsDouble();
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * EPS));
    }
    return out;
  }

  /**
   * Asserts that two gradients agree: norm-wise relative error and every entry within {@code
   * tolerance} (entries with a 1e-8 absolute floor).
   *
   * @param name names the gradient in the failure message
   * @param analytic the hand-written gradient
   * @param numeric the finite-difference one
   * @param tolerance relative tolerance
   */
  public static void assertClose(
      String name, INDArray analytic, INDArray numeric, double tolerance) {
    assertEquals(
        java.util.Arrays.toString(numeric.shape()),
        java.util.Arrays.toString(analytic.shape()),
        name + ": shape");
    INDArray a64 = analytic.castTo(DataType.DOUBLE);
    INDArray n64 = numeric.castTo(DataType.DOUBLE);
    double diff = a64.sub(n64).norm2Number().doubleValue();
    double scale = Math.max(a64.norm2Number().doubleValue(), n64.norm2Number().doubleValue());
    assertTrue(scale > 0, name + ": gradient is identically zero");
    assertTrue(diff / scale <= tolerance, name + ": relative error " + diff / scale);
    double[] a = a64.dup().data().asDouble();
    double[] n = n64.dup().data().asDouble();
    for (int i = 0; i < a.length; i++) {
      double tol = tolerance * Math.max(Math.abs(a[i]), Math.abs(n[i])) + 1e-8;
      if (Math.abs(a[i] - n[i]) > tol) {
        fail(name + "[" + i + "]: analytic " + a[i] + " vs numeric " + n[i]);
      }
    }
  }

  /**
   * Dense N(0, sd²) draws.
   *
   * @param rng the source
   * @param sd standard deviation
   * @param shape the array's shape
   * @return a new float64 array
   */
  public static INDArray gaussian(SplittableRandom rng, double sd, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    INDArray flat = a.reshape(a.length());
    for (long i = 0; i < a.length(); i++) {
      flat.putScalar(i, sd * gaussian(rng));
    }
    return a;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box–Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  private static INDArray gaussian(SplittableRandom rng, double sd, int rows, int cols) {
    return gaussian(rng, sd, new long[] {rows, cols});
  }

  /** The gradient of a constrained parameter with its fixed entries zeroed, as core does. */
  private static INDArray masked(INDArray gradient, Parameter p) {
    return p.constraint() instanceof Constraint.Mask m ? gradient.mul(m.free()) : gradient;
  }

  private static void requireDouble(Cell cell) {
    for (Parameter p : cell.parameters()) {
      if (p.value().dataType() != DataType.DOUBLE) {
        fail(
            "gradient checks need a float64 cell; parameter '"
                + p.name()
                + "' is "
                + p.value().dataType());
      }
    }
  }
}
