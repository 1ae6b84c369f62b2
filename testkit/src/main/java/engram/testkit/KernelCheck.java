package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks a model's {@link engram.api.SequenceKernel} against its cell run step by step: two
 * networks from the same seed (so the same parameters), one with the kernel and one without, must
 * give the same hidden states, extras and gradients up to a tolerance, with and without a drive and
 * gradients on extras, over several calls with different shapes (so reused buffers are covered),
 * and, when the kernel can clamp ablated units, once more with two units ablated.
 */
public final class KernelCheck {
  private KernelCheck() {}

  /**
   * What to run the comparison on.
   *
   * @param inputSize I
   * @param dataType FLOAT or DOUBLE
   * @param shapes {T, B} pairs, run in order on the same two networks
   * @param tolerance relative tolerance (norm-wise and per entry, with a floor of tolerance·max|x|)
   * @param seed seeds parameters and data
   */
  public record Setup(
      int inputSize, DataType dataType, int[][] shapes, double tolerance, long seed) {}

  /**
   * Asserts that the model offers a kernel for {@code config} at this setup and that it agrees with
   * the cell.
   *
   * @param model the model plugin
   * @param config its configuration
   * @param setup data type, shapes, tolerance
   * @param <C> the configuration record
   * @return the kernel's name
   */
  public static <C extends Record> String assertMatchesCell(Model<C> model, C config, Setup setup) {
    NetworkSpec spec = new NetworkSpec(setup.inputSize(), setup.dataType());
    CellNetwork fast = Networks.create(model, config, spec, new SplittableRandom(setup.seed()));
    CellNetwork reference =
        Networks.create(
            model, config, spec, new SplittableRandom(setup.seed()), Networks.Kernels.OFF);
    assertNotEquals(
        "cell",
        fast.implementation(),
        model.info().id() + " offers no kernel for " + config + " in " + setup.dataType());
    SplittableRandom rng = new SplittableRandom(setup.seed() + 1);
    for (int[] shape : setup.shapes()) {
      for (boolean withExtras : new boolean[] {false, true}) {
        compare(fast, reference, shape[0], shape[1], setup, rng, withExtras);
      }
    }
    String name = fast.implementation();
    // A kernel that can clamp ablated units must agree with the runner's clamp as well.
    ablateSome(fast, reference);
    if (!"cell".equals(fast.implementation())) {
      for (int[] shape : setup.shapes()) {
        for (boolean withExtras : new boolean[] {false, true}) {
          compare(fast, reference, shape[0], shape[1], setup, rng, withExtras);
        }
      }
    }
    return name;
  }

  /**
   * As {@link #assertMatchesCell}, and asserts that the kernel also runs with units ablated ({@link
   * engram.api.SequenceKernel.ClampsState}) and agrees with the cell's clamped run there.
   *
   * @param model the model plugin
   * @param config its configuration
   * @param setup data type, shapes, tolerance
   * @param <C> the configuration record
   * @return the kernel's name
   */
  public static <C extends Record> String assertMatchesCellWithAblation(
      Model<C> model, C config, Setup setup) {
    String name = assertMatchesCell(model, config, setup);
    NetworkSpec spec = new NetworkSpec(setup.inputSize(), setup.dataType());
    CellNetwork fast = Networks.create(model, config, spec, new SplittableRandom(setup.seed()));
    CellNetwork reference =
        Networks.create(
            model, config, spec, new SplittableRandom(setup.seed()), Networks.Kernels.OFF);
    ablateSome(fast, reference);
    assertEquals(
        name,
        fast.implementation(),
        model.info().id()
            + ": the kernel "
            + name
            + " does not run with units ablated (it should implement SequenceKernel.ClampsState)");
    return name;
  }

  /** Ablates the first and the last unit (the first only when H ≤ 2) of both networks. */
  private static void ablateSome(CellNetwork fast, CellNetwork reference) {
    int h = reference.hiddenSize();
    fast.ablate(0);
    reference.ablate(0);
    if (h > 2) {
      fast.ablate(h - 1);
      reference.ablate(h - 1);
    }
  }

  /**
   * Asserts that no kernel applies (the model must fall back to its cell).
   *
   * @param model the model plugin
   * @param config its configuration
   * @param spec input size and data type
   * @param <C> the configuration record
   */
  public static <C extends Record> void assertNoKernel(Model<C> model, C config, NetworkSpec spec) {
    CellNetwork net = Networks.create(model, config, spec, new SplittableRandom(1));
    assertEquals(
        "cell", net.implementation(), model.info().id() + " should run its cell for " + config);
  }

  private static void compare(
      CellNetwork fast,
      CellNetwork reference,
      int steps,
      int batch,
      Setup setup,
      SplittableRandom rng,
      boolean withExtras) {
    DataType type = setup.dataType();
    Cell cell = reference.cell();
    INDArray x = GradientCheck.gaussian(rng, 1.0, steps, batch, setup.inputSize()).castTo(type);
    INDArray s0 = GradientCheck.gaussian(rng, 0.3, batch, cell.stateSize()).castTo(type);
    INDArray drive =
        withExtras && cell instanceof Cell.AcceptsDrive
            ? GradientCheck.gaussian(rng, 0.2, steps, batch, cell.hiddenSize()).castTo(type)
            : null;
    INDArray dLdh = GradientCheck.gaussian(rng, 1.0, steps, batch, cell.hiddenSize()).castTo(type);
    Map<String, INDArray> dLdExtras = new LinkedHashMap<>();
    if (withExtras) {
      for (String name : reference.differentiableExtras()) {
        dLdExtras.put(
            name,
            GradientCheck.gaussian(rng, 1.0, steps, batch, cell.extras().get(name)).castTo(type));
      }
    }
    String where =
        " (T "
            + steps
            + ", B "
            + batch
            + (drive != null ? ", drive" : "")
            + (dLdExtras.isEmpty() ? "" : ", dL/d" + dLdExtras.keySet())
            + ")";
    Trajectory want = reference.forward(x, s0, drive);
    Trajectory got = fast.forward(x, s0, drive);
    close("hidden" + where, want.hidden(), got.hidden(), setup.tolerance());
    assertEquals(want.extras().keySet(), got.extras().keySet(), "extras" + where);
    for (String name : want.extras().keySet()) {
      close(
          "extra " + name + where,
          want.extras().get(name),
          got.extras().get(name),
          setup.tolerance());
    }
    Map<String, INDArray> gWant = gradients(reference);
    Map<String, INDArray> gGot = gradients(fast);
    reference.backward(want, dLdh.dup(), copy(dLdExtras), gWant);
    fast.backward(got, dLdh.dup(), copy(dLdExtras), gGot);
    for (String name : gWant.keySet()) {
      close("dL/d" + name + where, gWant.get(name), gGot.get(name), setup.tolerance());
    }
  }

  private static Map<String, INDArray> gradients(CellNetwork net) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      if (p.trainable()) {
        g.put(p.name(), p.value().ulike().assign(Double.NaN));
      }
    }
    return g;
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> m) {
    Map<String, INDArray> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }

  /**
   * Asserts that {@code got} matches {@code want}: norm-wise relative error ≤ tolerance, and every
   * entry within tolerance·(|want_i| + max|want|).
   *
   * @param what names the quantity in the message
   * @param want the reference
   * @param got the value under test
   * @param tolerance relative tolerance
   */
  public static void close(String what, INDArray want, INDArray got, double tolerance) {
    assertEquals(
        java.util.Arrays.toString(want.shape()),
        java.util.Arrays.toString(got.shape()),
        what + ": shape");
    double[] a = want.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] b = got.castTo(DataType.DOUBLE).dup().data().asDouble();
    double max = 0;
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i]));
      diff2 += (a[i] - b[i]) * (a[i] - b[i]);
      norm2 += a[i] * a[i];
      if (!Double.isFinite(b[i])) {
        fail(what + "[" + i + "] is " + b[i]);
      }
    }
    assertTrue(
        Math.sqrt(diff2) <= tolerance * Math.sqrt(norm2) + 1e-300,
        what + ": relative error " + Math.sqrt(diff2 / Math.max(norm2, 1e-300)));
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > tolerance * (Math.abs(a[i]) + max)) {
        fail(what + "[" + i + "]: cell " + a[i] + ", kernel " + b[i]);
      }
    }
  }
}
