package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Trajectory;
import engram.runtime.CellNetwork;
import engram.testkit.TestArrays;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward against PyTorch's {@code torch.nn.LSTM} and autograd in float64, so that the
 * gate order, the two biases and the cell recursion are pinned by an independent implementation:
 * the cell in float64 (with the tolerances this test always had), the fused kernel in float32.
 *
 * <p>The files under {@code src/test/resources/golden-lstm/} were produced once, from the
 * repository root, with Debian's python3-torch 1.13 and numpy 1.24.2:
 *
 * <pre>
 *   /usr/bin/python3 plugins-models/src/test/resources/golden-lstm/make_golden.py
 * </pre>
 *
 * (T = 12, B = 4, I = 1, H = 6, zero initial state, torch seed 20240611; the loss is Σ W ⊙ outputs
 * with fixed random W, so dL/dh = W at every step. The script also steps the cell by hand to record
 * c and the gates, which nn.LSTM does not return, and checks that against the layer.)
 */
class LstmGoldenTest {
  private static final String[] PARAMS = {"w_ih", "w_hh", "b_ih", "b_hh"};

  /** The cell, run step by step by core in float64: to the last bits of PyTorch's. */
  @Test
  void cellMatchesTorchNnLstm() throws Exception {
    INDArray x = load("x");
    CellNetwork net =
        LstmTestSupport.cellNetwork(
            LstmTestSupport.config(hidden()), (int) x.size(2), DataType.DOUBLE, 99);
    assertEquals("cell", net.implementation());
    check(net, DataType.DOUBLE, 1e-12, 1e-9, 1e-15);
  }

  /**
   * The fused kernel in float32, from the same parameters and inputs rounded to float: within
   * float32 rounding of PyTorch's float64 values (so a wrong gate order, bias or recursion, which
   * changes values by O(1), cannot pass).
   */
  @Test
  void kernelMatchesTorchNnLstmInFloat32() throws Exception {
    INDArray x = load("x");
    CellNetwork net =
        LstmTestSupport.network(
            LstmTestSupport.config(hidden()), (int) x.size(2), DataType.FLOAT, 99);
    assertEquals("lstm/fused", net.implementation());
    check(net, DataType.FLOAT, 1e-5, 1e-5, 1e-7);
  }

  /**
   * Loads PyTorch's parameters into {@code net} and compares its forward pass (h, c, gates, loss:
   * max relative difference ≤ {@code forwardTol}) and gradients (per entry ≤ {@code gradTol}·|e| +
   * {@code gradFloor}) with the golden values.
   */
  private static void check(
      CellNetwork net, DataType type, double forwardTol, double gradTol, double gradFloor)
      throws Exception {
    INDArray x = load("x").castTo(type);
    INDArray weights = load("loss_weights").castTo(type);
    int batch = (int) x.size(1);
    for (String name : PARAMS) {
      INDArray value = load(name);
      assertArrayEquals(value.shape(), TestArrays.param(net, name).shape(), name);
      TestArrays.param(net, name).assign(value);
    }
    INDArray s0 = net.initialState(batch, new SplittableRandom(1));
    assertArrayEquals(new long[] {batch, 2 * hidden()}, s0.shape());
    assertEquals(0.0, s0.amaxNumber().doubleValue(), 0.0, "the default initial state is zero");

    Trajectory traj = net.forward(x, s0);
    assertBelow(forwardTol, traj.hidden(), load("out/h"), "hidden states");
    Map<String, INDArray> extras = traj.extras();
    assertBelow(forwardTol, extras.get("c"), load("out/c"), "cell states");
    INDArray gates = load("out/gates");
    String[] names = {"i", "f", "g", "o"};
    for (int k = 0; k < 4; k++) {
      assertBelow(forwardTol, extras.get(names[k]), gates.slice(k), "gate " + names[k]);
    }
    double loss =
        traj.hidden()
            .castTo(DataType.DOUBLE)
            .mul(weights.castTo(DataType.DOUBLE))
            .sumNumber()
            .doubleValue();
    assertEquals(load("out/loss").getDouble(0), loss, forwardTol * Math.abs(loss));

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    for (String name : PARAMS) {
      double[] e = load("out/grad_" + name).dup().data().asDouble();
      double[] a = grads.get(name).castTo(DataType.DOUBLE).dup().data().asDouble();
      assertEquals(e.length, a.length, name);
      double norm = Math.sqrt(java.util.Arrays.stream(e).map(v -> v * v).sum());
      assertTrue(norm > 1e-3, name + ": golden gradient is trivially small");
      for (int i = 0; i < e.length; i++) {
        assertEquals(
            e[i], a[i], gradTol * Math.abs(e[i]) + gradFloor, "grad_" + name + "[" + i + "]");
      }
    }
  }

  /** max |actual − golden| / max |golden| < tolerance. */
  private static void assertBelow(double tolerance, INDArray actual, INDArray golden, String what) {
    double d = TestArrays.maxRelativeDifference(actual, golden);
    assertTrue(d < tolerance, what + " differ from PyTorch's by " + d);
  }

  private static int hidden() throws URISyntaxException {
    return (int) load("loss_weights").size(2);
  }

  private static INDArray load(String name) throws URISyntaxException {
    String path = "/golden-lstm/" + name + ".npy";
    URL url = LstmGoldenTest.class.getResource(path);
    if (url == null) {
      throw new AssertionError("missing test resource " + path);
    }
    return Nd4j.createFromNpyFile(new File(url.toURI())).castTo(DataType.DOUBLE);
  }
}
