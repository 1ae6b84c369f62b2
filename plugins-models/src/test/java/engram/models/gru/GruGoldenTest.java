package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Trajectory;
import engram.models.gru.GruModel.InitialState;
import engram.models.gru.TestSupport.Leak;
import engram.runtime.CellNetwork;
import engram.testkit.TestArrays;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward against PyTorch autograd in float64: {@code torch.nn.GRU} for the plain cell
 * (from h_0 = 0, nn.GRU's default, and from a random h_0) and {@code torch.nn.GRUCell} plus the τ
 * leak with {@code torch.clamp(τ, min=1)}, so that the gate conventions, parameter layout and clamp
 * are pinned by an independent implementation.
 *
 * <p>The files under {@code src/test/resources/golden-gru/} were produced once, from that
 * directory, with Debian's python3-torch 1.13 and numpy 1.24.2:
 *
 * <pre>
 *   /usr/bin/python3 make_golden.py
 * </pre>
 *
 * (T = 12, B = 4, I = 1, H = 6; the script documents the seeds and layout.) The loss is L = Σ
 * loss_weights ⊙ h over all steps, so dL/dh = loss_weights. The leak case has τ = (0.5, 1.0, 1.3,
 * 2.0, 3.7, 0.9): two τ below 1 (zero gradient) and one exactly 1 (full gradient, as torch.clamp).
 *
 * <p>The reference is the cell run step by step by core in float64; the fused kernel, which runs
 * float32 only, is held to the same files with float32's tolerances.
 */
class GruGoldenTest {
  private static final String[] PARAMS = {"w_ih", "w_hh", "b_ih", "b_hh"};

  @ParameterizedTest
  @ValueSource(strings = {"zero-h0", "random-h0", "leak"})
  void matchesPyTorchAutograd(String dir) throws Exception {
    boolean leak = dir.equals("leak");
    INDArray x = load(dir, "x");
    INDArray h0 = load(dir, "h0");
    INDArray lossWeights = load(dir, "loss_weights");
    int hidden = (int) h0.size(1);
    assertArrayEquals(new long[] {12, 4, 1}, x.shape());
    assertEquals(6, hidden);

    CellNetwork net =
        TestSupport.cellNetwork(
            TestSupport.config(hidden, leak ? Leak.TRAINED : Leak.OFF, InitialState.ZERO, 0.1),
            1,
            DataType.DOUBLE,
            99);
    assertEquals("cell", net.implementation());
    List<String> names = new ArrayList<>(List.of(PARAMS));
    if (leak) {
      names.add("taus");
    }
    for (String name : names) {
      INDArray value = load(dir, name);
      assertArrayEquals(value.shape(), TestArrays.param(net, name).shape(), name);
      TestArrays.param(net, name).assign(value);
    }
    if (dir.equals("zero-h0")) {
      assertEquals(0.0, h0.amaxNumber().doubleValue(), 0.0);
      TestArrays.assertIdentical(h0, net.initialState(4, null), "zero initial state");
    }

    Trajectory traj = net.forward(x, h0);
    INDArray hiddenExpected = load(dir, "out/hidden");
    assertArrayEquals(hiddenExpected.shape(), traj.hidden().shape());
    double[] he = hiddenExpected.dup().data().asDouble();
    double[] ha = traj.hidden().dup().data().asDouble();
    for (int i = 0; i < he.length; i++) {
      assertEquals(he[i], ha[i], 1e-12, "hidden[" + i + "] differs from PyTorch");
    }
    double loss = traj.hidden().mul(lossWeights).sumNumber().doubleValue();
    double lossExpected = load(dir, "out/loss").getDouble(0);
    assertEquals(lossExpected, loss, 1e-12 * Math.abs(lossExpected));

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    assertEquals(names, new ArrayList<>(grads.keySet()));
    net.backward(traj, lossWeights.dup(), grads);
    for (String name : names) {
      double[] e = load(dir, "out/grad_" + name).dup().data().asDouble();
      double[] a = grads.get(name).dup().data().asDouble();
      assertEquals(e.length, a.length, name);
      double norm = 0;
      double diff = 0;
      for (int i = 0; i < e.length; i++) {
        norm += e[i] * e[i];
        diff += (e[i] - a[i]) * (e[i] - a[i]);
      }
      assertTrue(Math.sqrt(norm) > 1e-3, name + ": golden gradient is trivially small");
      assertTrue(
          Math.sqrt(diff / norm) <= 1e-9,
          "grad_" + name + ": relative error " + Math.sqrt(diff / norm));
      for (int i = 0; i < e.length; i++) {
        assertEquals(
            e[i],
            a[i],
            1e-9 * Math.abs(e[i]) + 1e-13,
            "grad_" + name + "[" + i + "] (" + dir + ")");
      }
    }
    if (leak) {
      // τ < 1 get exactly zero gradient; τ = 1 (index 1) a real one, as with torch.clamp.
      INDArray taus = load(dir, "taus");
      INDArray gTaus = grads.get("taus");
      int clamped = 0;
      for (int i = 0; i < hidden; i++) {
        if (taus.getDouble(i) < 1) {
          clamped++;
          assertEquals(0.0, gTaus.getDouble(i), 0.0);
        }
      }
      assertEquals(2, clamped);
      assertEquals(1.0, taus.getDouble(1), 0.0);
      assertTrue(Math.abs(gTaus.getDouble(1)) > 1e-2);
    }
  }

  /**
   * The kernel in float32 against the same PyTorch values (computed in float64): hidden states
   * within 1e-6 (they are O(1)), the loss within 1e-6 relative, every gradient within 1e-5 relative
   * (norm-wise) and τ's clamp exact (zero gradient below 1, a real one at 1).
   */
  @ParameterizedTest
  @ValueSource(strings = {"zero-h0", "random-h0", "leak"})
  void kernelMatchesPyTorchAutogradInFloat32(String dir) throws Exception {
    boolean leak = dir.equals("leak");
    INDArray x = load(dir, "x").castTo(DataType.FLOAT);
    INDArray h0 = load(dir, "h0").castTo(DataType.FLOAT);
    INDArray lossWeights = load(dir, "loss_weights").castTo(DataType.FLOAT);
    int hidden = (int) h0.size(1);
    CellNetwork net =
        TestSupport.network(
            TestSupport.config(hidden, leak ? Leak.TRAINED : Leak.OFF, InitialState.ZERO, 0.1),
            1,
            DataType.FLOAT,
            99);
    assertEquals("gru/fused", net.implementation());
    List<String> names = new ArrayList<>(List.of(PARAMS));
    if (leak) {
      names.add("taus");
    }
    for (String name : names) {
      TestArrays.param(net, name).assign(load(dir, name));
    }
    Trajectory traj = net.forward(x, h0);
    double[] he = load(dir, "out/hidden").dup().data().asDouble();
    double[] ha = traj.hidden().castTo(DataType.DOUBLE).dup().data().asDouble();
    for (int i = 0; i < he.length; i++) {
      assertEquals(he[i], ha[i], 1e-6, "hidden[" + i + "] differs from PyTorch");
    }
    double loss =
        traj.hidden()
            .castTo(DataType.DOUBLE)
            .mul(lossWeights.castTo(DataType.DOUBLE))
            .sumNumber()
            .doubleValue();
    double lossExpected = load(dir, "out/loss").getDouble(0);
    assertEquals(lossExpected, loss, 1e-6 * Math.abs(lossExpected));
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, lossWeights.dup(), grads);
    for (String name : names) {
      INDArray e = load(dir, "out/grad_" + name);
      INDArray a = grads.get(name).castTo(DataType.DOUBLE);
      double relative = a.sub(e).norm2Number().doubleValue() / e.norm2Number().doubleValue();
      assertTrue(relative <= 1e-5, "grad_" + name + ": relative error " + relative);
    }
    if (leak) {
      INDArray taus = load(dir, "taus");
      for (int i = 0; i < hidden; i++) {
        if (taus.getDouble(i) < 1) {
          assertEquals(0.0, grads.get("taus").getDouble(i), 0.0, "τ < 1 is clamped");
        }
      }
      assertEquals(1.0, taus.getDouble(1), 0.0);
      assertTrue(Math.abs(grads.get("taus").getDouble(1)) > 1e-2, "τ = 1 gets a real gradient");
    }
  }

  private static INDArray load(String dir, String name) throws URISyntaxException {
    String path = "/golden-gru/" + dir + "/" + name + ".npy";
    URL url = GruGoldenTest.class.getResource(path);
    if (url == null) {
      throw new AssertionError("missing test resource " + path);
    }
    return Nd4j.createFromNpyFile(new File(url.toURI())).castTo(DataType.DOUBLE);
  }
}
