package engram.analysis.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.StepMap;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.leaky.LeakyRnnModel;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.models.vanilla.VanillaRnnModel;
import engram.runtime.Networks;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SVD reduction in float64 on a leaky RNN (tanh inside the leak, τ = 2) whose W is exactly rank
 * two and has a zero diagonal, W = [[0, 0, c, c], [0, 0, c, c], [d, d, 0, 0], [d, d, 0, 0]] = M
 * Nᵀ/H with M = [[1, 0], [1, 0], [0, 1], [0, 1]] and N = H·[[0, d], [0, d], [c, 0], [c, 0]]: the
 * SVD path finds the zeros the loadings path finds (the same states tanh(Uκ + b), classes and
 * eigenvalues, since the two latents differ by an invertible linear map), and each zero's state is
 * a fixed point of the real cell's step to 1e-8. Cells that do not step as (1 − a)h + a·tanh(Wh +
 * b) are refused in one line.
 */
class LowRankReductionTest {
  static final int H = 4;
  static final int I = 2;
  static final double C = 1.5;
  static final double D = 1.2;
  static final double[] B_REC = {0.1, 0.1, -0.05, -0.05};
  static final double[] B_IN = {0.02, -0.02, 0.01, 0.03};

  static LeakyRnnModel.Config leaky(Nonlinearity nonlinearity, Phi phi) {
    return new LeakyRnnModel.Config(
        H,
        nonlinearity,
        0.01,
        phi,
        false,
        1.0,
        2.0,
        2.0,
        0.1,
        LeakyRnnModel.RecurrentInit.UNIFORM,
        1.0,
        LeakyRnnModel.InitialState.UNIFORM);
  }

  static Network rankTwoLeaky(Phi phi, DataType type) {
    Network net =
        Networks.create(
            new LeakyRnnModel(),
            leaky(Nonlinearity.TANH, phi),
            new NetworkSpec(I, type),
            new SplittableRandom(3));
    double[][] w = {{0, 0, C, C}, {0, 0, C, C}, {D, D, 0, 0}, {D, D, 0, 0}};
    TestArrays.param(net, "w_rec").assign(Nd4j.createFromArray(w).castTo(type));
    TestArrays.param(net, "b_rec").assign(Nd4j.createFromArray(B_REC).castTo(type));
    TestArrays.param(net, "b_in").assign(Nd4j.createFromArray(B_IN).castTo(type));
    net.constrain();
    return net;
  }

  static Map<String, INDArray> loadings() {
    double[][] m = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    double[][] n = {{0, H * D}, {0, H * D}, {H * C, 0}, {H * C, 0}};
    double[] b = new double[H];
    for (int i = 0; i < H; i++) {
      b[i] = B_REC[i] + B_IN[i];
    }
    return Map.of(
        "m", Nd4j.createFromArray(m),
        "n", Nd4j.createFromArray(n),
        "b", Nd4j.createFromArray(b));
  }

  @Test
  void svdOfAnExactlyRankTwoLeakyFindsTheLoadingsZerosAndRealFixedPoints() {
    Network net = rankTwoLeaky(Phi.INSIDE, DataType.DOUBLE);
    LowRankReduction svd = LowRankReduction.svd(net, I, 2, "low-rank-flow", "leaky-rnn");
    LowRankReduction byLoadings =
        LowRankReduction.loadings(loadings(), 0, "low-rank-flow", "low-rank-rnn");
    assertEquals(2, svd.rank());
    // ‖W‖_F² = 4c² + 4d²; rank 2: σ_1² + σ_2² keeps all of it.
    assertEquals(Math.sqrt(4 * C * C + 4 * D * D), svd.frobenius(), 1e-12);
    double kept = svd.sigma()[0] * svd.sigma()[0] + svd.sigma()[1] * svd.sigma()[1];
    assertEquals(1, kept / (svd.frobenius() * svd.frobenius()), 1e-12);

    List<PlaneFlow.Point> fromSvd = zeros(svd);
    List<PlaneFlow.Point> fromLoadings = zeros(byLoadings);
    assertEquals(3, fromLoadings.size(), "" + fromLoadings);
    assertEquals(fromLoadings.size(), fromSvd.size());
    StepMap map = StepMap.of(net, new double[I]);
    List<double[]> loadingStates = new ArrayList<>();
    for (PlaneFlow.Point p : fromLoadings) {
      double[] x = byLoadings.lift(p.kappa());
      double[] rates = new double[H];
      for (int i = 0; i < H; i++) {
        rates[i] = Math.tanh(x[i]);
      }
      loadingStates.add(rates);
    }
    for (PlaneFlow.Point p : fromSvd) {
      double[] h = svd.lift(p.kappa());
      int match = nearest(loadingStates, h);
      assertArrayEquals(loadingStates.get(match), h, 1e-9);
      PlaneFlow.Point twin = fromLoadings.get(match);
      assertEquals(twin.kind(), p.kind());
      assertArrayEquals(twin.eigenReal(), p.eigenReal(), 1e-9);
      double[] next = map.apply(new double[][] {h})[0];
      double residual = 0;
      for (int i = 0; i < H; i++) {
        residual += (next[i] - h[i]) * (next[i] - h[i]);
      }
      assertTrue(Math.sqrt(residual) < 1e-8, "step residual " + Math.sqrt(residual));
    }
    assertEquals(
        List.of(PlaneFlow.Kind.STABLE, PlaneFlow.Kind.STABLE, PlaneFlow.Kind.SADDLE),
        fromLoadings.stream().map(PlaneFlow.Point::kind).sorted().toList());
  }

  @Test
  void aTanhVanillaRnnReducesAndRankOneKeepsTheLeadingSingularValue() {
    Network net =
        Networks.create(
            new VanillaRnnModel(),
            new VanillaRnnModel.Config(
                H, VanillaRnnModel.Nonlinearity.TANH, VanillaRnnModel.InitialState.ZERO, 0.1),
            new NetworkSpec(I, DataType.DOUBLE),
            new SplittableRandom(4));
    LowRankReduction one = LowRankReduction.svd(net, I, 1, "low-rank-flow", "vanilla-rnn");
    assertEquals(1, one.rank());
    double[][] w = TestArrays.param(net, "w_hh").toDoubleMatrix();
    double frobenius = 0;
    for (double[] row : w) {
      for (double v : row) {
        frobenius += v * v;
      }
    }
    assertEquals(Math.sqrt(frobenius), one.frobenius(), 1e-12);
    // σ_1 = ‖W‖_2 = max over unit v of ‖W v‖, attained at Q's column / σ_1.
    double[] v = new double[H];
    for (int i = 0; i < H; i++) {
      v[i] = one.q()[i][0] / one.sigma()[0];
    }
    double norm = 0;
    for (double[] row : w) {
      double s = 0;
      for (int j = 0; j < H; j++) {
        s += row[j] * v[j];
      }
      norm += s * s;
    }
    assertEquals(one.sigma()[0], Math.sqrt(norm), 1e-12);
    // The rank-one flow's n is H·σ_1·v.
    assertEquals(H * one.q()[0][0], one.rankOne().n()[0], 1e-15);
  }

  @Test
  void cellsThatDoNotStepWithTanhInsideAreRefusedInOneLine() {
    Network outside = rankTwoLeaky(Phi.OUTSIDE, DataType.DOUBLE);
    assertRefused(outside, "leaky-rnn");
    Network relu =
        Networks.create(
            new LeakyRnnModel(),
            leaky(Nonlinearity.LEAKY_RELU, Phi.INSIDE),
            new NetworkSpec(I, DataType.DOUBLE),
            new SplittableRandom(3));
    assertRefused(relu, "leaky-rnn");
    Network vanillaRelu =
        Networks.create(
            new VanillaRnnModel(),
            new VanillaRnnModel.Config(
                H, VanillaRnnModel.Nonlinearity.RELU, VanillaRnnModel.InitialState.ZERO, 0.1),
            new NetworkSpec(I, DataType.DOUBLE),
            new SplittableRandom(4));
    assertRefused(vanillaRelu, "vanilla-rnn");
  }

  @Test
  void loadingsOfTheWrongRankAreRefusedInOneLine() {
    Map<String, INDArray> three =
        Map.of(
            "m", Nd4j.ones(DataType.DOUBLE, H, 3),
            "n", Nd4j.ones(DataType.DOUBLE, H, 3),
            "b", Nd4j.zeros(DataType.DOUBLE, H));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LowRankReduction.loadings(three, 0, "low-rank-flow", "low-rank-rnn"));
    assertTrue(e.getMessage().contains("rank 3"), e.getMessage());
    IllegalStateException mismatch =
        assertThrows(
            IllegalStateException.class,
            () -> LowRankReduction.loadings(loadings(), 1, "low-rank-flow", "low-rank-rnn"));
    assertTrue(mismatch.getMessage().contains("rank 1 was asked"), mismatch.getMessage());
    assertTrue(!mismatch.getMessage().contains("\n"));
  }

  private static void assertRefused(Network net, String modelId) {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LowRankReduction.svd(net, I, 2, "low-rank-flow", modelId));
    assertTrue(e.getMessage().startsWith("low-rank-flow (source: svd)"), e.getMessage());
    assertTrue(e.getMessage().contains("model '" + modelId + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("phi: inside"), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }

  private static List<PlaneFlow.Point> zeros(LowRankReduction reduction) {
    PlaneFlow flow = reduction.plane();
    return flow.analyse(1.2 * flow.bound(0), 1.2 * flow.bound(1), 121).points().stream()
        .filter(p -> p.kind() != PlaneFlow.Kind.GHOST)
        .toList();
  }

  private static int nearest(List<double[]> states, double[] h) {
    int best = -1;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int k = 0; k < states.size(); k++) {
      double d = 0;
      for (int i = 0; i < h.length; i++) {
        d += (states.get(k)[i] - h[i]) * (states.get(k)[i] - h[i]);
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }
}
