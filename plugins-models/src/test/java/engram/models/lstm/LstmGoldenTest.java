package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward and backward against PyTorch's {@code torch.nn.LSTM} and autograd in float64, so that
 * the gate order, the two biases and the cell recursion are pinned by an independent
 * implementation.
 *
 * <p>The files under {@code src/test/resources/golden-lstm/} were produced once, from the
 * repository root, with Debian's python3-torch 1.13 and numpy 1.24.2:
 *
 * <pre>
 *   /usr/bin/python3 plugins-models/src/test/resources/golden-lstm/make_golden.py
 * </pre>
 *
 * (T = 12, B = 4, I = 1, H = 6, zero initial state, torch seed 20240611; the loss is Σ W ⊙
 * outputs with fixed random W, so dL/dh = W at every step. The script also steps the cell by hand
 * to record c and the gates, which nn.LSTM does not return, and checks that against the layer.)
 */
class LstmGoldenTest {
  private static final String[] PARAMS = {"w_ih", "w_hh", "b_ih", "b_hh"};

  @Test
  void matchesTorchNnLstm() throws Exception {
    INDArray x = load("x");
    INDArray weights = load("loss_weights");
    int steps = (int) x.size(0);
    int batch = (int) x.size(1);
    int hidden = (int) weights.size(2);

    Network net = LstmTestSupport.network(LstmTestSupport.config(hidden), (int) x.size(2), DataType.DOUBLE, 99);
    for (String name : PARAMS) {
      INDArray value = load(name);
      assertArrayEquals(value.shape(), ModelTestSupport.param(net, name).shape(), name);
      ModelTestSupport.param(net, name).assign(value);
    }
    INDArray h0 = net.initialState(batch, new SplittableRandom(1));
    assertEquals(0.0, h0.amaxNumber().doubleValue(), 0.0, "the default initial state is zero");

    Trajectory traj = net.forward(x, h0);
    assertTrue(ModelTestSupport.maxRelativeDifference(traj.hidden(), load("out/h")) < 1e-12,
        "hidden states differ from PyTorch");
    Map<String, INDArray> extras = traj.extras();
    assertTrue(ModelTestSupport.maxRelativeDifference(extras.get("c"), load("out/c")) < 1e-12,
        "cell states differ from PyTorch");
    INDArray gates = load("out/gates");
    String[] names = {"i", "f", "g", "o"};
    for (int k = 0; k < 4; k++) {
      assertTrue(ModelTestSupport.maxRelativeDifference(extras.get(names[k]), gates.slice(k)) < 1e-12,
          "gate " + names[k] + " differs from PyTorch");
    }
    double loss = traj.hidden().mul(weights).sumNumber().doubleValue();
    assertEquals(load("out/loss").getDouble(0), loss, 1e-12 * Math.abs(loss));

    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    for (String name : PARAMS) {
      double[] e = load("out/grad_" + name).dup().data().asDouble();
      double[] a = grads.get(name).dup().data().asDouble();
      assertEquals(e.length, a.length, name);
      double norm = Math.sqrt(java.util.Arrays.stream(e).map(v -> v * v).sum());
      assertTrue(norm > 1e-3, name + ": golden gradient is trivially small");
      for (int i = 0; i < e.length; i++) {
        assertEquals(e[i], a[i], 1e-9 * Math.abs(e[i]) + 1e-15, "grad_" + name + "[" + i + "]");
      }
    }
  }

  private static INDArray load(String name) throws URISyntaxException {
    String path = "/golden-lstm/" + name + ".npy";
    URL url = LstmGoldenTest.class.getResource(path);
    if (url == null) {
      throw new AssertionError("missing test resource " + path);
    }
    return org.nd4j.linalg.factory.Nd4j.createFromNpyFile(new File(url.toURI())).castTo(DataType.DOUBLE);
  }
}
