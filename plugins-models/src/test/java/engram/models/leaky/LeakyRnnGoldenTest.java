package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.Networks;
import engram.testkit.TestArrays;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward and backward against PyTorch autograd (float64), so that the paper's semantics (φ
 * placement, τ clamp, masked diagonal) are pinned by an independent implementation.
 *
 * <p>The files under {@code src/test/resources/golden/} were produced once, from that directory,
 * with Debian's python3-torch 1.13.1 and numpy 1.24.2:
 *
 * <pre>
 *   /usr/bin/python3 /work/shared/reference/torch_leaky_rnn_grads.py --make outside 8 4 12 3 4
 *   PHI=inside /usr/bin/python3 /work/shared/reference/torch_leaky_rnn_grads.py \
 *       --make inside 8 4 12 3 4
 * </pre>
 *
 * (H = 8, B = 4, T = 12, K = 3 heads, seed 4; leaky-ReLU slope 0.01.) Seed 4 draws three τ below 1
 * (0.944, 0.834, 0.833), so the clamp's zero gradient is exercised. The script's loss is the sum
 * over heads k of the batch-mean cross-entropy of logits h_T·head_w[k]ᵀ + head_b[k]; dL/dh is
 * computed here from it (non-zero only at the last step).
 */
class LeakyRnnGoldenTest {

  @ParameterizedTest(name = "phi {0}, kernels {1}")
  @CsvSource({"OUTSIDE, AUTO", "OUTSIDE, OFF", "INSIDE, AUTO", "INSIDE, OFF"})
  void matchesPyTorchAutograd(Phi phi, Networks.Kernels kernels) throws Exception {
    String dir = phi.name().toLowerCase();
    INDArray x = load(dir, "x");
    INDArray h0 = load(dir, "h0");
    INDArray labels = load(dir, "labels");
    INDArray headW = load(dir, "head_w");
    INDArray headB = load(dir, "head_b");
    int steps = (int) x.size(0);
    int batch = (int) x.size(1);
    int hidden = (int) h0.size(1);
    int heads = (int) headW.size(0);

    Config config = TestSupport.config(hidden, Nonlinearity.LEAKY_RELU, 0.01, phi);
    Network net = TestSupport.network(config, 1, DataType.DOUBLE, 99, kernels);
    for (String name : new String[] {"w_in", "b_in", "w_rec", "b_rec", "taus"}) {
      INDArray value = load(dir, name);
      assertArrayEquals(value.shape(), TestArrays.param(net, name).shape(), name);
      TestArrays.param(net, name).assign(value);
    }
    // The file's w_rec has a non-zero diagonal: the model must ignore it, as the script does (the
    // constraint projects it to 0 before the forward pass).
    assertTrue(TestArrays.param(net, "w_rec").getDouble(0, 0) != 0.0);

    Trajectory traj = net.forward(x.reshape(steps, batch, 1), h0);
    INDArray hiddenExpected = load(dir, "out/hidden");
    assertTrue(
        TestArrays.maxRelativeDifference(traj.hidden(), hiddenExpected) < 1e-12,
        "hidden states differ from PyTorch");

    // dL/dh_T = Σ_k (softmax(logits_k) − onehot(label_k)) / B · head_w[k]
    INDArray hLast = traj.hidden().slice(steps - 1);
    INDArray logitsExpected = load(dir, "out/logits");
    INDArray dLdh = Nd4j.zeros(DataType.DOUBLE, steps, batch, hidden);
    double loss = 0;
    for (int k = 0; k < heads; k++) {
      INDArray w = headW.slice(k); // [2, H]
      INDArray logits = hLast.mmul(w.transpose()).addRowVector(headB.slice(k)); // [B, 2]
      assertTrue(TestArrays.maxRelativeDifference(logits, logitsExpected.slice(k)) < 1e-12);
      for (int b = 0; b < batch; b++) {
        double l0 = logits.getDouble(b, 0);
        double l1 = logits.getDouble(b, 1);
        double m = Math.max(l0, l1);
        double z = Math.exp(l0 - m) + Math.exp(l1 - m);
        int label = labels.getInt(k, b);
        loss += -((label == 0 ? l0 : l1) - m - Math.log(z)) / batch;
        for (int c = 0; c < 2; c++) {
          double p = Math.exp(logits.getDouble(b, c) - m) / z;
          double coef = (p - (c == label ? 1 : 0)) / batch;
          for (int i = 0; i < hidden; i++) {
            dLdh.putScalar(
                new long[] {steps - 1, b, i},
                dLdh.getDouble(steps - 1, b, i) + coef * w.getDouble(c, i));
          }
        }
      }
    }
    assertEquals(load(dir, "out/loss").getDouble(0), loss, 1e-12 * Math.abs(loss));

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, dLdh, grads);
    for (String name : new String[] {"w_in", "b_in", "w_rec", "b_rec", "taus"}) {
      INDArray expected = load(dir, "out/grad_" + name);
      INDArray actual = grads.get(name);
      double[] e = expected.dup().data().asDouble();
      double[] a = actual.dup().data().asDouble();
      assertEquals(e.length, a.length, name);
      double norm = Math.sqrt(java.util.Arrays.stream(e).map(v -> v * v).sum());
      assertTrue(norm > 1e-6, name + ": golden gradient is trivially small");
      for (int i = 0; i < e.length; i++) {
        assertEquals(
            e[i],
            a[i],
            1e-9 * Math.abs(e[i]) + 1e-15,
            "grad_" + name + "[" + i + "] (" + phi + ")");
      }
    }
    // The script's τ below 1 get exactly zero gradient, and so do ours.
    INDArray taus = load(dir, "taus");
    int clamped = 0;
    for (int i = 0; i < hidden; i++) {
      if (taus.getDouble(i) < 1) {
        clamped++;
        assertEquals(0.0, grads.get("taus").getDouble(i), 0.0);
      }
    }
    assertEquals(3, clamped);
  }

  private static INDArray load(String dir, String name) throws URISyntaxException {
    String path = "/golden/" + dir + "/" + name + ".npy";
    URL url = LeakyRnnGoldenTest.class.getResource(path);
    if (url == null) {
      throw new AssertionError("missing test resource " + path);
    }
    INDArray a = Nd4j.createFromNpyFile(new File(url.toURI()));
    return a.dataType() == DataType.INT64 ? a : a.castTo(DataType.DOUBLE);
  }
}
