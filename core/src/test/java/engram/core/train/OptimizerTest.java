package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.OptimizerConfig;
import engram.core.config.OptimizerType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The update rules against PyTorch's, written out by hand:
 *
 * <pre>
 * torch.optim.SGD (dampening 0): buf = g at the first step, then buf = μ·buf + g;
 *   nesterov: θ -= lr·(g + μ·buf); otherwise θ -= lr·buf; μ = 0: θ -= lr·g
 * torch.optim.Adam: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; m̂ = m/(1−β1^t); v̂ = v/(1−β2^t);
 *   θ -= lr·m̂/(√v̂ + ε)
 * </pre>
 */
class OptimizerTest {
  private static final double[] THETA0 = {0.5, -1.2, 2.0, 0.3};
  private static final double[][] GRADS = {
    {0.1, -0.4, 1.5, -2.0},
    {-0.3, 0.2, 0.7, 0.05},
    {0.25, -0.6, -1.1, 0.9}
  };
  private static final double TOL = 1e-12;

  private static INDArray array(double[] values) {
    return Nd4j.create(values, new long[] {2, 2}, DataType.DOUBLE);
  }

  private static double[] values(INDArray a) {
    return a.dup('c').reshape(a.length()).castTo(DataType.DOUBLE).toDoubleVector();
  }

  private static OptimizerConfig sgd(double lr, double momentum, boolean nesterov) {
    return new OptimizerConfig(OptimizerType.SGD, lr, momentum, nesterov, 0.9, 0.999, 1e-8);
  }

  private static OptimizerConfig adam(double lr) {
    return new OptimizerConfig(OptimizerType.ADAM, lr, 0.0, false, 0.9, 0.999, 1e-8);
  }

  /** torch.optim.SGD, step by step; returns θ after each step. */
  private static double[][] torchSgd(double lr, double mu, boolean nesterov, double[][] grads) {
    double[] theta = THETA0.clone();
    double[] buf = null;
    double[][] after = new double[grads.length][];
    for (int k = 0; k < grads.length; k++) {
      double[] g = grads[k];
      double[] d = g.clone();
      if (mu != 0) {
        if (buf == null) {
          buf = g.clone();
        } else {
          for (int i = 0; i < buf.length; i++) {
            buf[i] = mu * buf[i] + g[i];
          }
        }
        for (int i = 0; i < d.length; i++) {
          d[i] = nesterov ? g[i] + mu * buf[i] : buf[i];
        }
      }
      for (int i = 0; i < theta.length; i++) {
        theta[i] -= lr * d[i];
      }
      after[k] = theta.clone();
    }
    return after;
  }

  /** torch.optim.Adam with bias correction, step by step; returns θ after each step. */
  private static double[][] torchAdam(
      double lr, double b1, double b2, double eps, double[][] grads) {
    double[] theta = THETA0.clone();
    double[] m = new double[theta.length];
    double[] v = new double[theta.length];
    double[][] after = new double[grads.length][];
    for (int k = 0; k < grads.length; k++) {
      int t = k + 1;
      for (int i = 0; i < theta.length; i++) {
        double g = grads[k][i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        theta[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
      after[k] = theta.clone();
    }
    return after;
  }

  /**
   * Checks θ after each step, twice: with a fresh gradient array per step, and with one gradient
   * array overwritten in place every step, as the trainer does (backward overwrites its buffers),
   * so an optimizer that keeps a reference to the gradient instead of a copy fails.
   */
  private static void assertFollows(OptimizerConfig config, double[][] expected) {
    Optimizer optimizer = Optimizer.create(config);
    INDArray theta = array(THETA0);
    List<INDArray> gradients = new ArrayList<>();
    for (int k = 0; k < GRADS.length; k++) {
      INDArray gradient = array(GRADS[k]);
      gradients.add(gradient);
      optimizer.update("w", theta, gradient);
      assertArrayEquals(expected[k], values(theta), TOL, config.type() + " after step " + (k + 1));
    }
    for (int k = 0; k < GRADS.length; k++) {
      assertArrayEquals(
          GRADS[k], values(gradients.get(k)), 0.0, "gradient " + (k + 1) + " is not modified");
    }

    Optimizer reusing = Optimizer.create(config);
    INDArray theta2 = array(THETA0);
    INDArray buffer = array(new double[THETA0.length]);
    for (int k = 0; k < GRADS.length; k++) {
      buffer.assign(array(GRADS[k]));
      reusing.update("w", theta2, buffer);
      assertArrayEquals(
          expected[k],
          values(theta2),
          TOL,
          config.type() + " after step " + (k + 1) + " with a reused gradient buffer");
    }
  }

  @Test
  void sgdWithNesterovMomentumFollowsPyTorch() {
    assertFollows(sgd(0.05, 0.1, true), torchSgd(0.05, 0.1, true, GRADS));
  }

  @Test
  void sgdWithClassicalMomentumFollowsPyTorch() {
    assertFollows(sgd(0.05, 0.9, false), torchSgd(0.05, 0.9, false, GRADS));
  }

  @Test
  void plainSgdFollowsPyTorch() {
    assertFollows(sgd(0.05, 0.0, false), torchSgd(0.05, 0.0, false, GRADS));
    // nesterov without momentum is plain SGD too
    assertFollows(sgd(0.05, 0.0, true), torchSgd(0.05, 0.0, false, GRADS));
  }

  @Test
  void adamFollowsPyTorch() {
    assertFollows(adam(0.01), torchAdam(0.01, 0.9, 0.999, 1e-8, GRADS));
  }

  @Test
  void adamWithOtherBetasFollowsPyTorch() {
    OptimizerConfig config =
        new OptimizerConfig(OptimizerType.ADAM, 0.1, 0.0, false, 0.5, 0.9, 1e-3);
    assertFollows(config, torchAdam(0.1, 0.5, 0.9, 1e-3, GRADS));
  }

  @Test
  void handFormulasAreNotTrivial() {
    // guards the test itself: momentum and Nesterov must change the trajectory
    double[] plain = torchSgd(0.05, 0.0, false, GRADS)[2];
    double[] classical = torchSgd(0.05, 0.9, false, GRADS)[2];
    double[] nesterov = torchSgd(0.05, 0.9, true, GRADS)[2];
    for (int i = 0; i < plain.length; i++) {
      assertEquals(false, Math.abs(plain[i] - classical[i]) < 1e-6);
      assertEquals(false, Math.abs(classical[i] - nesterov[i]) < 1e-6);
    }
  }

  // ------------------------------------------------------------------ state per parameter name

  private static void assertStatePerName(OptimizerConfig config) {
    Optimizer optimizer = Optimizer.create(config);
    INDArray a = array(THETA0);
    INDArray b = array(THETA0);
    // "a" takes two steps first, then "b" and "a" alternate
    optimizer.update("a", a, array(GRADS[0]));
    optimizer.update("a", a, array(GRADS[1]));
    optimizer.update("b", b, array(GRADS[0]));
    assertArrayEquals(
        reference(config, 1), values(b), TOL, config.type() + ": a new name starts fresh");
    optimizer.update("a", a, array(GRADS[2]));
    optimizer.update("b", b, array(GRADS[1]));
    optimizer.update("b", b, array(GRADS[2]));
    assertArrayEquals(reference(config, 3), values(a), TOL, config.type() + ": a unaffected by b");
    assertArrayEquals(reference(config, 3), values(b), TOL, config.type() + ": b's own history");
  }

  /** θ after {@code steps} updates of one parameter with GRADS[0..steps). */
  private static double[] reference(OptimizerConfig config, int steps) {
    Optimizer optimizer = Optimizer.create(config);
    INDArray theta = array(THETA0);
    for (int k = 0; k < steps; k++) {
      optimizer.update("x", theta, array(GRADS[k]));
    }
    return values(theta);
  }

  @Test
  void sgdMomentumBufferIsPerParameterName() {
    assertStatePerName(sgd(0.05, 0.9, true));
    assertStatePerName(sgd(0.05, 0.9, false));
  }

  @Test
  void adamMomentsAndStepCountArePerParameterName() {
    assertStatePerName(adam(0.01));
    // Adam's first step moves every coordinate by about lr (m̂/√v̂ = sign g), whatever the name's
    // position among other names: its step count starts at 1
    Optimizer optimizer = Optimizer.create(adam(0.01));
    INDArray other = array(THETA0);
    for (int k = 0; k < 3; k++) {
      optimizer.update("other", other, array(GRADS[k]));
    }
    INDArray fresh = array(THETA0);
    optimizer.update("fresh", fresh, array(GRADS[2]));
    double[] moved = values(fresh);
    for (int i = 0; i < moved.length; i++) {
      assertEquals(-0.01 * Math.signum(GRADS[2][i]), moved[i] - THETA0[i], 1e-8);
    }
  }

  @Test
  void worksInFloat32() {
    Optimizer optimizer = Optimizer.create(adam(0.01));
    INDArray theta = array(THETA0).castTo(DataType.FLOAT);
    for (double[] g : GRADS) {
      optimizer.update("w", theta, array(g).castTo(DataType.FLOAT));
    }
    assertEquals(DataType.FLOAT, theta.dataType());
    assertArrayEquals(
        torchAdam(0.01, 0.9, 0.999, 1e-8, GRADS)[2], values(theta.castTo(DataType.DOUBLE)), 1e-6);
  }

  // ------------------------------------------------------------------ host loops vs ND4J ops

  /**
   * The update rules as one ND4J op per term, the implementation before the host loops: the fast
   * path must give the same values, bit for bit in float32 and float64 (same operations, same
   * roundings, same order).
   */
  private static final class Nd4jReference {
    private final OptimizerConfig config;
    private final java.util.Map<String, INDArray> velocity = new java.util.HashMap<>();
    private final java.util.Map<String, INDArray[]> moments = new java.util.HashMap<>();
    private final java.util.Map<String, Integer> steps = new java.util.HashMap<>();

    Nd4jReference(OptimizerConfig config) {
      this.config = config;
    }

    void update(String name, INDArray parameter, INDArray gradient) {
      double lr = config.lr();
      if (config.type() == OptimizerType.SGD) {
        double momentum = config.momentum();
        if (momentum == 0) {
          parameter.subi(gradient.mul(lr));
          return;
        }
        INDArray v = velocity.get(name);
        if (v == null) {
          v = gradient.dup();
          velocity.put(name, v);
        } else {
          v.muli(momentum).addi(gradient);
        }
        if (config.nesterov()) {
          parameter.subi(gradient.mul(lr)).subi(v.mul(lr * momentum));
        } else {
          parameter.subi(v.mul(lr));
        }
        return;
      }
      double beta1 = config.beta1();
      double beta2 = config.beta2();
      INDArray[] m =
          moments.computeIfAbsent(
              name, k -> new INDArray[] {gradient.ulike().assign(0), gradient.ulike().assign(0)});
      int t = steps.merge(name, 1, Integer::sum);
      m[0].muli(beta1).addi(gradient.mul(1 - beta1));
      m[1].muli(beta2).addi(gradient.mul(gradient).muli(1 - beta2));
      double bias1 = 1 - Math.pow(beta1, t);
      double bias2 = 1 - Math.pow(beta2, t);
      INDArray denominator =
          org.nd4j.linalg.ops.transforms.Transforms.sqrt(m[1], true)
              .divi(Math.sqrt(bias2))
              .addi(config.epsilon());
      parameter.subi(m[0].div(denominator).muli(lr / bias1));
    }
  }

  private static INDArray random(java.util.SplittableRandom rng, DataType type, long... shape) {
    return TestArrays.gaussian(rng, type, 1.0, shape);
  }

  private static final List<OptimizerConfig> CONFIGS =
      List.of(
          sgd(0.05, 0.0, false),
          sgd(0.05, 0.1, true),
          sgd(0.03, 0.9, false),
          adam(0.01),
          new OptimizerConfig(OptimizerType.ADAM, 0.1, 0.0, false, 0.5, 0.9, 1e-3));

  /**
   * Random parameters of several sizes (one longer than a chunk of 4096, one not a multiple of it,
   * a vector, a 1×1) over five steps with fresh random gradients: the host loops give exactly what
   * the ND4J ops gave, in float32 and float64.
   */
  @Test
  void hostLoopsGiveExactlyTheValuesOfTheNd4jOps() {
    long[][] shapes = {{70, 130}, {4096 * 2 + 17}, {3}, {1, 1}};
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (OptimizerConfig config : CONFIGS) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(42);
        Optimizer fast = Optimizer.create(config);
        Nd4jReference reference = new Nd4jReference(config);
        List<INDArray> fastParams = new ArrayList<>();
        List<INDArray> referenceParams = new ArrayList<>();
        for (long[] shape : shapes) {
          INDArray p = random(rng, type, shape);
          fastParams.add(p);
          referenceParams.add(p.dup());
        }
        for (int step = 0; step < 5; step++) {
          for (int i = 0; i < shapes.length; i++) {
            INDArray g = random(rng, type, shapes[i]).muli(step + 1);
            INDArray gCopy = g.dup();
            fast.update("p" + i, fastParams.get(i), g);
            reference.update("p" + i, referenceParams.get(i), gCopy);
            assertArrayEquals(values(gCopy), values(g), 0.0, "the gradient is only read");
            // exactly: INDArray.equals would allow 1e-5
            assertArrayEquals(
                values(referenceParams.get(i)),
                values(fastParams.get(i)),
                0.0,
                config + " " + type + " parameter " + i + " after step " + (step + 1));
          }
        }
        assertTrue(
            !fastParams
                .get(0)
                .equalsWithEps(random(new java.util.SplittableRandom(42), type, shapes[0]), 1e-3),
            "the parameters moved");
      }
    }
  }

  /**
   * A parameter that is a strided view (a column block of a larger matrix) and a gradient in
   * another order are updated through contiguous copies: same values as contiguous arrays, and the
   * rest of the larger matrix is untouched.
   */
  @Test
  void viewsAndOtherOrdersAreUpdatedThroughCopies() {
    for (OptimizerConfig config : List.of(sgd(0.05, 0.1, true), adam(0.01))) {
      java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
      INDArray whole = random(rng, DataType.FLOAT, 6, 10);
      INDArray before = whole.dup();
      INDArray view =
          whole.get(
              org.nd4j.linalg.indexing.NDArrayIndex.all(),
              org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5));
      INDArray plain = view.dup('c');
      Optimizer onView = Optimizer.create(config);
      Optimizer onPlain = Optimizer.create(config);
      for (int step = 0; step < 3; step++) {
        INDArray g = random(rng, DataType.FLOAT, 6, 3);
        onView.update("w", view, g.dup('f'));
        onPlain.update("w", plain, g);
      }
      assertArrayEquals(
          values(plain), values(view), 0.0, config.type() + ": same values through a view");
      for (int r = 0; r < 6; r++) {
        for (int c = 0; c < 10; c++) {
          if (c < 2 || c >= 5) {
            assertEquals(before.getFloat(r, c), whole.getFloat(r, c), 0f, "outside the view");
          }
        }
      }
    }
  }

  @Test
  void aNameUpdatedWithAnotherLengthIsRefused() {
    Optimizer optimizer = Optimizer.create(adam(0.01));
    optimizer.update("w", array(THETA0), array(GRADS[0]));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                optimizer.update(
                    "w", Nd4j.zeros(DataType.DOUBLE, 3), Nd4j.zeros(DataType.DOUBLE, 3)));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            optimizer.update("v", Nd4j.zeros(DataType.DOUBLE, 3), Nd4j.zeros(DataType.DOUBLE, 4)));
  }

  /**
   * An optimizer restored from {@link Optimizer#save()} continues bit for bit as the one saved: for
   * SGD with momentum (with and without Nesterov), plain SGD and Adam, in float32 and float64, with
   * parameters of several chunks (5,000 elements) and one never updated before the save.
   */
  @Test
  void aRestoredOptimizerContinuesExactlyAsTheSavedOne() {
    for (OptimizerConfig config :
        List.of(sgd(0.05, 0.9, true), sgd(0.05, 0.5, false), sgd(0.1, 0, false), adam(0.01))) {
      for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
        String what = config.type() + " momentum " + config.momentum() + " " + type;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 5000).castTo(type);
        INDArray b = Nd4j.rand(DataType.DOUBLE, 3).castTo(type);
        Optimizer saved = Optimizer.create(config);
        for (int k = 0; k < 4; k++) {
          saved.update("w", w, gradient(rng, 5000, type));
          if (k > 1) {
            saved.update("b", b, gradient(rng, 3, type));
          }
        }
        List<Optimizer.SavedState> state = saved.save();
        assertEquals(config.momentum() == 0 && config.type() == OptimizerType.SGD, state.isEmpty());
        Optimizer restored = Optimizer.create(config);
        restored.restore(state);
        INDArray w2 = w.dup();
        INDArray b2 = b.dup();
        for (int k = 0; k < 3; k++) {
          INDArray gw = gradient(rng, 5000, type);
          INDArray gb = gradient(rng, 3, type);
          saved.update("w", w, gw);
          saved.update("b", b, gb);
          restored.update("w", w2, gw);
          restored.update("b", b2, gb);
          assertArrayEquals(values(w), values(w2), 0.0, what + ", step " + k + " after restore");
          assertArrayEquals(values(b), values(b2), 0.0, what);
        }
        // the saved copies do not move with later updates
        for (Optimizer.SavedState s : state) {
          assertEquals(type, s.buffers().get(0).dataType(), what);
        }
        assertThrows(IllegalStateException.class, () -> restored.restore(state), what);
      }
    }
  }

  @Test
  void aStateOfAnotherOptimizerIsRefused() {
    Optimizer adam = Optimizer.create(adam(0.01));
    adam.update("w", array(THETA0), array(GRADS[0]));
    List<Optimizer.SavedState> state = adam.save();
    IllegalStateException wrong =
        assertThrows(
            IllegalStateException.class,
            () -> Optimizer.create(sgd(0.1, 0.9, false)).restore(state));
    assertTrue(wrong.getMessage().contains("'w'"), wrong.getMessage());
    assertThrows(
        IllegalStateException.class, () -> Optimizer.create(sgd(0.1, 0, false)).restore(state));
  }

  private static INDArray gradient(java.util.SplittableRandom rng, int n, DataType type) {
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      g[i] = rng.nextGaussian();
    }
    return Nd4j.createFromArray(g).castTo(type);
  }
}
