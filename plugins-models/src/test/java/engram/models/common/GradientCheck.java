package engram.models.common;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences of L = Σ w ⊙ h (h = the trajectory's hidden states, w dense random
 * weights, so dL/dh = w at every step) against a network's backward pass, in float64.
 */
public final class GradientCheck {
  private GradientCheck() {}

  public static final double EPS = 1e-6;

  /** Runs backward with dL/dh = weights and checks every trainable parameter; returns the grads. */
  public static Map<String, INDArray> check(
      Network net, INDArray x, INDArray h0, INDArray weights, double tolerance) {
    var traj = net.forward(x, h0);
    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    for (Parameter p : net.parameters()) {
      if (!p.trainable()) {
        continue;
      }
      INDArray numeric = numericGradient(net, p.value(), x, h0, weights);
      assertClose(p.name(), grads.get(p.name()), numeric, tolerance);
    }
    return grads;
  }

  /** Central differences of L = Σ w ⊙ h, element by element. */
  public static INDArray numericGradient(
      Network net, INDArray p, INDArray x, INDArray h0, INDArray weights) {
    INDArray flat = p.reshape(p.length()); // a view: parameters are contiguous
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + EPS);
      double plus = loss(net, x, h0, weights);
      flat.putScalar(i, orig - EPS);
      double minus = loss(net, x, h0, weights);
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * EPS));
    }
    return out;
  }

  public static double loss(Network net, INDArray x, INDArray h0, INDArray weights) {
    return net.forward(x, h0).hidden().mul(weights).sumNumber().doubleValue();
  }

  /** Norm-wise and element-wise relative error ≤ tolerance (element-wise with a 1e-8 floor). */
  public static void assertClose(String name, INDArray analytic, INDArray numeric, double tolerance) {
    double diff = analytic.sub(numeric).norm2Number().doubleValue();
    double scale =
        Math.max(analytic.norm2Number().doubleValue(), numeric.norm2Number().doubleValue());
    assertTrue(scale > 0, name + ": gradient is identically zero");
    assertTrue(diff / scale <= tolerance, name + ": relative error " + diff / scale);
    double[] a = analytic.dup().data().asDouble();
    double[] n = numeric.dup().data().asDouble();
    for (int i = 0; i < a.length; i++) {
      double tol = tolerance * Math.max(Math.abs(a[i]), Math.abs(n[i])) + 1e-8;
      assertTrue(Math.abs(a[i] - n[i]) <= tol,
          name + "[" + i + "]: analytic " + a[i] + " vs numeric " + n[i]);
    }
  }
}
