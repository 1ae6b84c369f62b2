package engram.models.vanilla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.testkit.TestArrays;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward against PyTorch autograd in float64: {@code torch.nn.RNN} with one layer,
 * tanh and ReLU, from h_0 = 0 (nn.RNN's default) and from a random h_0, so that the equation, the
 * parameter names and layout and both nonlinearities are pinned by an independent implementation.
 * The cell runs through the runtime's step-by-step runner ({@code Networks.Kernels.OFF}).
 *
 * <p>The files under {@code src/test/resources/golden-vanilla/} were produced once, from that
 * directory, with Debian's python3-torch 1.13 and numpy 1.24.2:
 *
 * <pre>
 *   /usr/bin/python3 make_golden.py
 * </pre>
 *
 * (T = 12, B = 4, I = 3, H = 6; the script documents the seeds and layout.) The loss is L = Σ
 * loss_weights ⊙ h over all steps, so dL/dh = loss_weights. In the ReLU cases about half the
 * pre-activations are positive and none is within 8e-5 of 0, so both sides agree on ReLU′.
 */
class VanillaRnnGoldenTest {
  private static final List<String> PARAMS = List.of("w_ih", "w_hh", "b_ih", "b_hh");
  private static final double TOLERANCE = 1e-12;

  @ParameterizedTest
  @ValueSource(strings = {"tanh-zero-h0", "relu-zero-h0", "tanh-random-h0", "relu-random-h0"})
  void matchesPyTorchAutograd(String dir) throws Exception {
    Nonlinearity phi = dir.startsWith("relu") ? Nonlinearity.RELU : Nonlinearity.TANH;
    boolean zeroState = dir.endsWith("zero-h0");
    INDArray x = load(dir, "x");
    INDArray h0 = load(dir, "h0");
    INDArray lossWeights = load(dir, "loss_weights");
    assertArrayEquals(new long[] {12, 4, 3}, x.shape());
    assertArrayEquals(new long[] {4, 6}, h0.shape());

    Network net =
        VanillaTestSupport.network(
            VanillaTestSupport.config(6, phi, zeroState ? InitialState.ZERO : InitialState.RANDOM),
            3,
            DataType.DOUBLE,
            99);
    for (String name : PARAMS) {
      INDArray value = load(dir, name);
      assertArrayEquals(value.shape(), TestArrays.param(net, name).shape(), name);
      TestArrays.param(net, name).assign(value);
    }
    if (zeroState) {
      assertEquals(0.0, h0.amaxNumber().doubleValue(), 0.0);
      TestArrays.assertIdentical(
          h0, net.initialState(4, new SplittableRandom(1)), "zero initial state");
    } else {
      assertTrue(h0.minNumber().doubleValue() > 0, "the random h_0 is not zero");
    }

    Trajectory traj = net.forward(x, h0);
    INDArray hiddenExpected = load(dir, "out/hidden");
    assertArrayEquals(hiddenExpected.shape(), traj.hidden().shape());
    assertTrue(traj.extras().isEmpty(), "no extras");
    double[] he = hiddenExpected.dup().data().asDouble();
    double[] ha = traj.hidden().dup().data().asDouble();
    for (int i = 0; i < he.length; i++) {
      assertEquals(he[i], ha[i], TOLERANCE, "hidden[" + i + "] differs from PyTorch (" + dir + ")");
    }
    double loss = traj.hidden().mul(lossWeights).sumNumber().doubleValue();
    double lossExpected = load(dir, "out/loss").getDouble(0);
    assertEquals(lossExpected, loss, TOLERANCE * Math.abs(lossExpected));

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    assertEquals(PARAMS, new ArrayList<>(grads.keySet()));
    net.backward(traj, lossWeights.dup(), grads);
    for (String name : PARAMS) {
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
          Math.sqrt(diff / norm) <= 1e-10,
          "grad_" + name + ": relative error " + Math.sqrt(diff / norm) + " (" + dir + ")");
      for (int i = 0; i < e.length; i++) {
        assertEquals(
            e[i],
            a[i],
            1e-10 * Math.abs(e[i]) + 1e-13,
            "grad_" + name + "[" + i + "] (" + dir + ")");
      }
    }
  }

  private static INDArray load(String dir, String name) throws URISyntaxException {
    String path = "/golden-vanilla/" + dir + "/" + name + ".npy";
    URL url = VanillaRnnGoldenTest.class.getResource(path);
    if (url == null) {
      throw new AssertionError("missing test resource " + path);
    }
    return Nd4j.createFromNpyFile(new File(url.toURI())).castTo(DataType.DOUBLE);
  }
}
