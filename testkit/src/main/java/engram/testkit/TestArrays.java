package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small array helpers for plugin tests: seeded Gaussian arrays, parameters by name, gradient arrays
 * as core passes them, and exact or relative comparison. Nothing here depends on a model.
 */
public final class TestArrays {
  private TestArrays() {}

  /**
   * Standard normal values from a seeded generator (Box–Muller, two draws per value, in C order),
   * the same draws as {@link GradientCheck#gaussian(SplittableRandom, double, long...)}.
   *
   * @param rng the only source of randomness
   * @param type the array's data type (drawn in float64, then cast)
   * @param shape the array's shape
   * @return a new C-order array
   */
  public static INDArray gaussian(SplittableRandom rng, DataType type, long... shape) {
    INDArray a = GradientCheck.gaussian(rng, 1.0, shape);
    return type == DataType.DOUBLE ? a : a.castTo(type);
  }

  /**
   * One standard normal value (Box–Muller, two draws).
   *
   * @param rng the only source of randomness
   * @return the value
   */
  public static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
        * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /**
   * The live value of a parameter.
   *
   * @param parameters a network's or cell's parameters
   * @param name the parameter's name
   * @return its live array
   * @throws AssertionError when there is no parameter of that name
   */
  public static INDArray param(List<Parameter> parameters, String name) {
    for (Parameter p : parameters) {
      if (p.name().equals(name)) {
        return p.value();
      }
    }
    throw new AssertionError(
        "no parameter " + name + " among " + parameters.stream().map(Parameter::name).toList());
  }

  /**
   * The live value of a network's parameter.
   *
   * @param network the network
   * @param name the parameter's name
   * @return its live array
   * @throws AssertionError when there is no parameter of that name
   */
  public static INDArray param(Network network, String name) {
    return param(network.parameters(), name);
  }

  /**
   * The live value of a cell's parameter.
   *
   * @param cell the cell
   * @param name the parameter's name
   * @return its live array
   * @throws AssertionError when there is no parameter of that name
   */
  public static INDArray param(Cell cell, String name) {
    return param(cell.parameters(), name);
  }

  /**
   * Whether a network has a parameter of this name.
   *
   * @param network the network
   * @param name a parameter name
   * @return true when it has one
   */
  public static boolean hasParam(Network network, String name) {
    return network.parameters().stream().anyMatch(p -> p.name().equals(name));
  }

  /**
   * A zero array per trainable parameter, as core passes them to {@link Network#backward}.
   *
   * @param network the network
   * @return name → new zero array of the parameter's shape and data type, in parameter order
   */
  public static Map<String, INDArray> gradientArrays(Network network) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        g.put(p.name(), Nd4j.zeros(p.value().dataType(), p.value().shape()));
      }
    }
    return g;
  }

  /**
   * Copies every parameter value of one network into another of the same model and shapes.
   *
   * @param from the source
   * @param to the destination; its live arrays are overwritten
   */
  public static void copyParameters(Network from, Network to) {
    for (Parameter p : from.parameters()) {
      param(to, p.name()).assign(p.value());
    }
  }

  /**
   * Asserts the same shape and exactly the same values ({@code INDArray.equals} allows a difference
   * of 1e-5). Compared as float64; +0 and −0 are equal, NaN equals NaN.
   *
   * @param expected the reference
   * @param actual the value under test
   * @param message names the quantity
   */
  public static void assertIdentical(INDArray expected, INDArray actual, String message) {
    assertArrayEquals(expected.shape(), actual.shape(), message);
    assertArrayEquals(
        expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0, message);
  }

  /**
   * The largest absolute difference relative to the largest absolute value of {@code b}.
   *
   * @param a one array
   * @param b the reference
   * @return max |a − b| / max(max |b|, 1e-300)
   */
  public static double maxRelativeDifference(INDArray a, INDArray b) {
    double scale = Math.max(b.amaxNumber().doubleValue(), 1e-300);
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue()
        / scale;
  }

  /**
   * Asserts max |actual − expected| ≤ tolerance · max(1, max |expected|), elementwise over the
   * whole array: for two implementations that round differently (a fast path against its
   * reference), where a per-entry relative bound would be too strict near 0.
   *
   * @param what names the quantity
   * @param expected the reference
   * @param actual the value under test, of the same length
   * @param tolerance relative to the larger of 1 and the reference's largest magnitude
   */
  public static void assertClose(
      String what, INDArray expected, INDArray actual, double tolerance) {
    assertEquals(expected.length(), actual.length(), what);
    double[] e = expected.dup('c').data().asDouble();
    double[] a = actual.dup('c').data().asDouble();
    double scale = 1;
    for (double v : e) {
      scale = Math.max(scale, Math.abs(v));
    }
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - e[i]));
    }
    assertTrue(
        worst <= tolerance * scale,
        what + ": max difference " + worst + " > " + tolerance + " × " + scale);
  }

  /**
   * A {@code [T, B, K]} array as nested Java arrays.
   *
   * @param a a rank-3 array
   * @return {@code out[t][b][k]}
   */
  public static double[][][] to3d(INDArray a) {
    double[][][] out = new double[(int) a.size(0)][][];
    for (int t = 0; t < out.length; t++) {
      out[t] = a.slice(t).toDoubleMatrix();
    }
    return out;
  }
}
