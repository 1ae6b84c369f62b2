package engram.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.SequenceKernel;
import engram.api.Trajectory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The step-by-step runner and the network around it: BPTT against finite differences (hidden
 * states, a differentiable extra, two state blocks, a drive), ablation as a state clamp,
 * constraints, the Jacobian, kernel dispatch and the errors a plugin author meets.
 */
class CellNetworkTest {
  private static final int H = 4;
  private static final int I = 3;
  private static final NetworkSpec SPEC = new NetworkSpec(I, DataType.DOUBLE);

  private static CellNetwork network(long seed) {
    return Networks.wrap("tanh-cell", new TanhCell(H, I, seed), null, SPEC);
  }

  private static INDArray param(CellNetwork net, String name) {
    return net.parameters().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow()
        .value();
  }

  @Test
  void bpttMatchesCentralDifferencesWithDriveExtrasAndTwoStateBlocks() {
    CellNetwork net = network(1);
    SplittableRandom rng = new SplittableRandom(2);
    INDArray x = TanhCell.random(rng, 1.0, 6, 2, I);
    INDArray drive = TanhCell.random(rng, 0.3, 6, 2, H);
    INDArray s0 = net.initialState(2, rng);
    INDArray wh = TanhCell.random(rng, 1.0, 6, 2, H);
    INDArray wp = TanhCell.random(rng, 1.0, 6, 2, H);
    Trajectory t = net.forward(x, s0, drive);
    Map<String, INDArray> grads = gradients(net);
    net.backward(t, wh.dup(), Map.of("pre", wp.dup()), grads);
    DoubleSupplier loss =
        () -> {
          Trajectory u = net.forward(x, s0, drive);
          return u.hidden().mul(wh).sumNumber().doubleValue()
              + u.extras().get("pre").mul(wp).sumNumber().doubleValue();
        };
    for (Parameter p : net.parameters()) {
      INDArray numeric = numeric(p.value(), loss);
      if (p.name().equals("w")) {
        for (int i = 0; i < H; i++) {
          numeric.putScalar(i, i, 0.0); // held at 0 by the constraint: not a free entry
        }
      }
      assertClose(p.name(), numeric, grads.get(p.name()), 1e-6);
    }
    for (int i = 0; i < H; i++) {
      assertEquals(0.0, grads.get("w").getDouble(i, i), 0.0, "a fixed entry gets gradient 0");
    }
  }

  @Test
  void ablationHoldsEveryBlockOfTheUnitAtZeroAndRemovesItsInfluence() {
    CellNetwork ablated = network(3);
    CellNetwork reference = network(3);
    // Without unit 1, the others see none of it: its column of W contributes nothing.
    param(reference, "w").getColumn(1).assign(0.0);
    ablated.ablate(1);
    SplittableRandom rng = new SplittableRandom(4);
    INDArray x = TanhCell.random(rng, 1.0, 5, 3, I);
    INDArray s0 = ablated.initialState(3, rng);
    INDArray a = ablated.forward(x, s0).hidden().dup();
    INDArray r = reference.forward(x, s0).hidden().dup();
    assertEquals(
        0.0,
        a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
            .amaxNumber()
            .doubleValue(),
        0.0);
    for (int unit : new int[] {0, 2, 3}) {
      assertArrayEquals(
          r.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(unit))
              .dup()
              .data()
              .asDouble(),
          a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(unit))
              .dup()
              .data()
              .asDouble(),
          1e-12,
          "unit " + unit);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> ablated.ablate(H));
  }

  @Test
  void bpttThroughAnAblatedNetworkMatchesCentralDifferences() {
    CellNetwork net = network(5);
    net.ablate(2);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = TanhCell.random(rng, 1.0, 4, 2, I);
    INDArray s0 = net.initialState(2, rng);
    INDArray wh = TanhCell.random(rng, 1.0, 4, 2, H);
    Trajectory t = net.forward(x, s0);
    Map<String, INDArray> grads = gradients(net);
    net.backward(t, wh.dup(), grads);
    DoubleSupplier loss = () -> net.forward(x, s0).hidden().mul(wh).sumNumber().doubleValue();
    INDArray numeric = numeric(param(net, "u"), loss);
    assertClose("u", numeric, grads.get("u"), 1e-6);
    assertEquals(
        0.0,
        grads.get("u").getRow(2).amaxNumber().doubleValue(),
        0.0,
        "nothing flows into an ablated unit");
  }

  @Test
  void constraintsAreProjectedBeforeEveryForwardPassAndOnRequest() {
    CellNetwork net = network(7);
    INDArray w = param(net, "w");
    w.putScalar(0, 0, 0.9); // an analysis or a regularizer wrote into a fixed entry
    net.constrain();
    assertEquals(0.0, w.getDouble(0, 0), 0.0);
    w.putScalar(1, 1, -0.4);
    net.forward(Nd4j.zeros(DataType.DOUBLE, 2, 1, I), net.initialState(1, new SplittableRandom(1)));
    assertEquals(0.0, w.getDouble(1, 1), 0.0);
  }

  @Test
  void jacobianEqualsCentralDifferencesOfTheStep() {
    CellNetwork net = network(8);
    SplittableRandom rng = new SplittableRandom(9);
    INDArray s = TanhCell.random(rng, 0.5, 2 * H);
    INDArray x = TanhCell.random(rng, 1.0, I);
    INDArray j = net.jacobian(s, x);
    assertArrayEquals(new long[] {2 * H, 2 * H}, j.shape());
    Cell cell = net.cell();
    for (int col = 0; col < 2 * H; col++) {
      INDArray plus = s.dup();
      plus.putScalar(col, s.getDouble(col) + 1e-6);
      INDArray minus = s.dup();
      minus.putScalar(col, s.getDouble(col) - 1e-6);
      INDArray dcol =
          cell.step(plus.reshape(1, 2 * H), x.reshape(1, I), null)
              .next()
              .sub(cell.step(minus.reshape(1, 2 * H), x.reshape(1, I), null).next())
              .divi(2e-6);
      for (int row = 0; row < 2 * H; row++) {
        assertEquals(
            dcol.getDouble(0, row), j.getDouble(row, col), 1e-8, "J[" + row + "][" + col + "]");
      }
    }
  }

  @Test
  void badCallsAndBrokenCellsGetClearErrors() {
    CellNetwork net = network(10);
    INDArray x = Nd4j.zeros(DataType.DOUBLE, 3, 2, I);
    INDArray s0 = net.initialState(2, new SplittableRandom(1));
    IllegalArgumentException state =
        assertThrows(
            IllegalArgumentException.class,
            () -> net.forward(x, Nd4j.zeros(DataType.DOUBLE, 2, H)));
    assertTrue(
        state.getMessage().contains("tanh-cell: initial state must be [2, 8]"), state.getMessage());
    Trajectory old = net.forward(x, s0);
    net.forward(x, s0);
    assertThrows(
        IllegalStateException.class,
        () -> net.backward(old, Nd4j.zeros(DataType.DOUBLE, 3, 2, H), gradients(net)));
    Trajectory t = net.forward(x, s0);
    IllegalArgumentException extra =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                net.backward(
                    t,
                    Nd4j.zeros(DataType.DOUBLE, 3, 2, H),
                    Map.of("gates", Nd4j.zeros(DataType.DOUBLE, 3, 2, H)),
                    gradients(net)));
    assertEquals(
        "tanh-cell cannot backpropagate from the extra 'gates'; it can from [pre]",
        extra.getMessage());

    Cell noDrive =
        new Cell() {
          final Cell inner = new TanhCell(H, I, 1);

          @Override
          public int hiddenSize() {
            return H;
          }

          @Override
          public int stateSize() {
            return 2 * H;
          }

          @Override
          public List<Parameter> parameters() {
            return inner.parameters();
          }

          @Override
          public INDArray initialState(int batch, RandomGenerator rng) {
            return inner.initialState(batch, rng);
          }

          @Override
          public Map<String, Integer> extras() {
            return Map.of("pre", H, "gate", H);
          }

          @Override
          public Step step(INDArray s, INDArray in, INDArray drive) {
            return inner.step(s, in, drive);
          }

          @Override
          public StepGradients vjp(
              Step st, INDArray g, Map<String, INDArray> ge, Map<String, INDArray> gp) {
            return inner.vjp(st, g, ge, gp);
          }
        };
    CellNetwork plain = Networks.wrap("plain-cell", noDrive, null, SPEC);
    UnsupportedOperationException drive =
        assertThrows(
            UnsupportedOperationException.class,
            () -> plain.forward(x, s0, Nd4j.zeros(DataType.DOUBLE, 3, 2, H)));
    assertTrue(drive.getMessage().startsWith("plain-cell does not accept a recurrent drive"));
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> plain.forward(x, s0));
    assertTrue(
        missing.getMessage().contains("plain-cell: step must report the extra 'gate'"),
        missing.getMessage());
    assertEquals(Set.of(), plain.differentiableExtras());
  }

  @Test
  void theKernelRunsUnlessUnitsAreAblated() {
    TanhCell cell = new TanhCell(H, I, 11);
    CellNetwork reference = Networks.wrap("ref", new TanhCell(H, I, 11), null, SPEC);
    int[] calls = new int[2];
    SequenceKernel kernel =
        new SequenceKernel() {
          final CellNetwork inner = Networks.wrap("inner", cell, null, SPEC);

          @Override
          public String name() {
            return "test/kernel";
          }

          @Override
          public Trajectory forward(INDArray inputs, INDArray s0, INDArray drive) {
            calls[0]++;
            return inner.forward(inputs, s0, drive);
          }

          @Override
          public void backward(
              Trajectory t, INDArray dLdh, Map<String, INDArray> dx, Map<String, INDArray> g) {
            calls[1]++;
            inner.backward(t, dLdh, dx, g);
          }
        };
    CellNetwork fast = Networks.wrap("fast", cell, kernel, SPEC);
    assertEquals("test/kernel", fast.implementation());
    assertEquals("cell", reference.implementation());
    INDArray x = TanhCell.random(new SplittableRandom(12), 1.0, 3, 2, I);
    INDArray s0 = fast.initialState(2, new SplittableRandom(13));
    Trajectory t = fast.forward(x, s0);
    fast.backward(t, Nd4j.ones(DataType.DOUBLE, 3, 2, H), gradients(fast));
    assertArrayEquals(new int[] {1, 1}, calls);
    fast.ablate(0);
    assertEquals("cell", fast.implementation(), "a kernel that cannot clamp is not used");
    Trajectory ablated = fast.forward(x, s0);
    assertNotSame(t, ablated);
    fast.backward(ablated, Nd4j.ones(DataType.DOUBLE, 3, 2, H), gradients(fast));
    assertArrayEquals(new int[] {1, 1}, calls, "with a unit ablated the cell runs step by step");
  }

  /**
   * A kernel that {@link SequenceKernel.ClampsState clamps} keeps running while units are ablated:
   * its clamping forward gets the mask over every state block (0 at the unit in each), its backward
   * gets that trajectory, and the results are the runner's. Without ablation its plain forward
   * runs.
   */
  @Test
  void aClampingKernelRunsWhileUnitsAreAblated() {
    TanhCell cell = new TanhCell(H, I, 11);
    CellNetwork reference = Networks.wrap("ref", new TanhCell(H, I, 11), null, SPEC);
    int[] calls = new int[3]; // plain forward, clamping forward, backward
    INDArray[] masks = new INDArray[1];
    // Delegates to a runner on the same cell, ablated like the network, so its results are known.
    CellNetwork inner = Networks.wrap("inner", cell, null, SPEC);
    SequenceKernel kernel =
        new SequenceKernel.ClampsState() {
          @Override
          public String name() {
            return "test/clamping";
          }

          @Override
          public Trajectory forward(INDArray inputs, INDArray s0, INDArray drive) {
            calls[0]++;
            return inner.forward(inputs, s0, drive);
          }

          @Override
          public Trajectory forward(INDArray inputs, INDArray s0, INDArray drive, INDArray keep) {
            calls[1]++;
            masks[0] = keep.dup();
            return inner.forward(inputs, s0, drive);
          }

          @Override
          public void backward(
              Trajectory t, INDArray dLdh, Map<String, INDArray> dx, Map<String, INDArray> g) {
            calls[2]++;
            inner.backward(t, dLdh, dx, g);
          }
        };
    CellNetwork fast = Networks.wrap("fast", cell, kernel, SPEC);
    SplittableRandom rng = new SplittableRandom(12);
    INDArray x = TanhCell.random(rng, 1.0, 3, 2, I);
    INDArray s0 = fast.initialState(2, rng);
    INDArray dLdh = TanhCell.random(rng, 1.0, 3, 2, H);
    fast.backward(fast.forward(x, s0), dLdh.dup(), gradients(fast));
    assertArrayEquals(new int[] {1, 0, 1}, calls);

    fast.ablate(1);
    inner.ablate(1);
    reference.ablate(1);
    assertEquals("test/clamping", fast.implementation(), "the clamping kernel stays in use");
    Trajectory got = fast.forward(x, s0);
    Trajectory want = reference.forward(x, s0);
    assertArrayEquals(new int[] {1, 1, 1}, calls, "the clamping forward runs");
    assertArrayEquals(
        new double[] {1, 0, 1, 1, 1, 0, 1, 1},
        masks[0].toDoubleVector(),
        0.0,
        "keep is 0 at the unit in both state blocks");
    assertEquals(
        0.0,
        got.hidden()
            .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
            .amaxNumber()
            .doubleValue(),
        0.0);
    assertClose("hidden", want.hidden(), got.hidden(), 1e-12);
    Map<String, INDArray> gGot = gradients(fast);
    Map<String, INDArray> gWant = gradients(reference);
    fast.backward(got, dLdh.dup(), gGot);
    reference.backward(want, dLdh.dup(), gWant);
    assertArrayEquals(new int[] {1, 1, 2}, calls, "the kernel's backward runs");
    for (String name : gWant.keySet()) {
      assertClose("dL/d" + name, gWant.get(name), gGot.get(name), 1e-12);
    }
  }

  private static Map<String, INDArray> gradients(CellNetwork net) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      g.put(p.name(), p.value().ulike().assign(Double.NaN));
    }
    return g;
  }

  private static INDArray numeric(INDArray p, DoubleSupplier loss) {
    INDArray flat = p.reshape(p.length());
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < p.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + 1e-6);
      double plus = loss.getAsDouble();
      flat.putScalar(i, orig - 1e-6);
      double minus = loss.getAsDouble();
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / 2e-6);
    }
    return out;
  }

  private static void assertClose(String name, INDArray want, INDArray got, double tol) {
    double diff = want.sub(got).norm2Number().doubleValue();
    double scale = Math.max(want.norm2Number().doubleValue(), 1e-12);
    assertTrue(diff / scale < tol, name + ": relative error " + diff / scale);
  }
}
