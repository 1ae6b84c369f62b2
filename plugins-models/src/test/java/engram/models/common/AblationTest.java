package engram.models.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.models.common.NetworkContractTest.Case;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code Network.ablate} for every model and configuration of {@link NetworkContractTest}: exactly
 * the unit's incoming and outgoing weights are zeroed, after which nothing about the unit — its
 * initial state, its surviving biases, τ or a — reaches any other unit, bit for bit.
 */
class AblationTest {
  private static final int H = 7;
  private static final int I = 2;
  private static final int T = 12;
  private static final int B = 3;

  /** Which entries of which parameter ablating unit {@code i} must zero; the rest must not move. */
  private enum Zeroed {
    /** Row i of every block of H rows (input matrices, gate blocks). */
    ROWS,
    /** Rows as above and column i (recurrent matrices). */
    ROWS_AND_COLUMN,
    /** Entry i of a vector (the rank-one loadings). */
    ENTRY;

    boolean at(long[] index, int unit) {
      return switch (this) {
        case ROWS -> index[0] % H == unit;
        case ROWS_AND_COLUMN -> index[0] % H == unit || index[1] == unit;
        case ENTRY -> index[0] == unit;
      };
    }
  }

  /** Written from each model's equations, independently of the implementation. */
  private static final Map<String, Map<String, Zeroed>> ZEROED = Map.of(
      "leaky-rnn", Map.of("w_in", Zeroed.ROWS, "w_rec", Zeroed.ROWS_AND_COLUMN),
      "gru", Map.of("w_ih", Zeroed.ROWS, "w_hh", Zeroed.ROWS_AND_COLUMN),
      "lstm", Map.of("w_ih", Zeroed.ROWS, "w_hh", Zeroed.ROWS_AND_COLUMN),
      "plrnn", Map.of("c", Zeroed.ROWS, "w", Zeroed.ROWS_AND_COLUMN),
      "rank-one-rnn", Map.of("w_in", Zeroed.ROWS, "m", Zeroed.ENTRY, "n", Zeroed.ENTRY));

  static Stream<Arguments> casesAndUnits() {
    return NetworkContractTest.networks()
        .flatMap(c -> Stream.of(0, 3, H - 1).map(unit -> Arguments.of(c, unit)));
  }

  /** The leaky RNN, the only model that accepts a drive, in each configuration. */
  static Stream<Arguments> leakyCasesAndUnits() {
    return casesAndUnits().filter(a -> ((Case) a.get()[0]).model().info().id().equals("leaky-rnn"));
  }

  private static Map<String, Zeroed> zeroed(Case c) {
    Map<String, Zeroed> z = ZEROED.get(c.model().info().id());
    assertTrue(z != null, "no ablation table for model " + c.model().info().id());
    return z;
  }

  private static Map<String, INDArray> snapshot(Network net) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      m.put(p.name(), p.value().dup());
    }
    return m;
  }

  @ParameterizedTest(name = "{0}, unit {1}")
  @MethodSource("casesAndUnits")
  void zeroesExactlyTheUnitsIncomingAndOutgoingWeights(Case c, int unit) {
    Network net = c.network(DataType.DOUBLE, 17);
    Map<String, INDArray> before = snapshot(net);
    Map<String, Zeroed> zeroed = zeroed(c);
    assertTrue(before.keySet().containsAll(zeroed.keySet()), "parameters " + before.keySet());
    net.ablate(unit);
    for (Parameter p : net.parameters()) {
      Zeroed rule = zeroed.get(p.name());
      INDArray old = before.get(p.name());
      int zeros = 0;
      int nonzeroBefore = 0;
      for (long k = 0; k < old.length(); k++) {
        long[] index = old.rank() == 1 ? new long[] {k} : new long[] {k / old.size(1), k % old.size(1)};
        double now = p.value().getDouble(index);
        String where = p.name() + Arrays.toString(index);
        if (rule != null && rule.at(index, unit)) {
          assertEquals(0.0, now, 0.0, where + " must be zeroed");
          zeros++;
          nonzeroBefore += old.getDouble(index) != 0 ? 1 : 0;
        } else {
          assertEquals(old.getDouble(index), now, 0.0, where + " must not change");
        }
      }
      if (rule != null) {
        assertTrue(zeros > 0 && nonzeroBefore > 0, p.name() + " had weights of the unit to zero");
      }
    }
  }

  /**
   * Two ablated copies that differ in everything the unit still has — its initial state and every
   * per-unit vector entry (biases, τ, a) — give the other units bit-identical trajectories, while
   * the unit itself does differ; without ablation the same change reaches the others.
   */
  @ParameterizedTest(name = "{0}, unit {1}")
  @MethodSource("casesAndUnits")
  void otherUnitsNoLongerSeeTheUnit(Case c, int unit) {
    SplittableRandom rng = new SplittableRandom(29);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    Network reference = c.network(DataType.DOUBLE, 5);
    INDArray h0 = reference.initialState(B, rng);
    INDArray h0Changed = h0.dup();
    for (int b = 0; b < B; b++) {
      h0Changed.putScalar(b, unit, h0.getDouble(b, unit) + 0.5 + b);
    }

    Network ablated = c.network(DataType.DOUBLE, 5);
    Network changed = c.network(DataType.DOUBLE, 5);
    ablated.ablate(unit);
    changed.ablate(unit);
    changeTheUnitsOwnParameters(changed, zeroed(c), unit);
    double[][][] a = ModelTestSupport.to3d(ablated.forward(x, h0).hidden());
    double[][][] b = ModelTestSupport.to3d(changed.forward(x, h0Changed).hidden());
    assertOthersIdentical(a, b, unit);
    assertTrue(differs(a, b, unit, true), "the change did not even reach the ablated unit");

    // Control: the same change in intact networks reaches the other units.
    Network intact = c.network(DataType.DOUBLE, 5);
    Network intactChanged = c.network(DataType.DOUBLE, 5);
    changeTheUnitsOwnParameters(intactChanged, zeroed(c), unit);
    double[][][] ia = ModelTestSupport.to3d(intact.forward(x, h0).hidden());
    double[][][] ib = ModelTestSupport.to3d(intactChanged.forward(x, h0Changed).hidden());
    assertTrue(differs(ia, ib, unit, false), "without ablation the unit must influence the others");
  }

  @ParameterizedTest(name = "{0}, unit {1}")
  @MethodSource("leakyCasesAndUnits")
  void aDriveOnTheUnitAloneReachesNoOtherUnit(Case c, int unit) {
    SplittableRandom rng = new SplittableRandom(31);
    Network net = c.network(DataType.DOUBLE, 6);
    net.ablate(unit);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    INDArray drive = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        drive.putScalar(new long[] {t, b, unit}, ModelTestSupport.gaussian(rng));
      }
    }
    double[][][] without = ModelTestSupport.to3d(net.forward(x, h0).hidden());
    double[][][] with = ModelTestSupport.to3d(net.forward(x, h0, drive).hidden());
    assertOthersIdentical(without, with, unit);
    assertTrue(differs(without, with, unit, true), "the drive did not reach the unit");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engram.models.common.NetworkContractTest#networks")
  void unitsOutsideTheHiddenLayerAreRejectedAndChangeNothing(Case c) {
    Network net = c.network(DataType.DOUBLE, 3);
    Map<String, INDArray> before = snapshot(net);
    for (int bad : new int[] {-1, H, H + 5}) {
      String message = assertThrows(IndexOutOfBoundsException.class, () -> net.ablate(bad)).getMessage();
      assertTrue(message.contains("unit " + bad) && message.contains("H = " + H)
          && message.contains(c.model().info().id()), message);
    }
    for (Parameter p : net.parameters()) {
      ModelTestSupport.assertIdentical(before.get(p.name()), p.value(), p.name());
    }
  }

  /** Adds 0.3 + 0.1·k to entry unit + k·H of every vector parameter that ablation leaves alone. */
  private static void changeTheUnitsOwnParameters(Network net, Map<String, Zeroed> zeroed, int unit) {
    int changedEntries = 0;
    for (Parameter p : net.parameters()) {
      if (p.value().rank() == 1 && !zeroed.containsKey(p.name())) {
        for (long k = unit, block = 0; k < p.value().length(); k += H, block++) {
          p.value().putScalar(k, p.value().getDouble(k) + 0.3 + 0.1 * block);
          changedEntries++;
        }
      }
    }
    assertTrue(changedEntries > 0, "every model keeps some per-unit parameter (bias, τ or a)");
  }

  /** Every unit but {@code unit}, every step and sequence, compared with == (so +0 equals −0). */
  private static void assertOthersIdentical(double[][][] a, double[][][] b, int unit) {
    for (int t = 0; t < a.length; t++) {
      for (int s = 0; s < a[t].length; s++) {
        for (int j = 0; j < a[t][s].length; j++) {
          if (j != unit && !(a[t][s][j] == b[t][s][j])) {
            throw new AssertionError("unit " + j + " at step " + t + ", sequence " + s + ": "
                + a[t][s][j] + " vs " + b[t][s][j] + " — it still depends on ablated unit " + unit);
          }
        }
      }
    }
  }

  /** Whether unit {@code unit} ({@code itself}) or any other unit differs anywhere. */
  private static boolean differs(double[][][] a, double[][][] b, int unit, boolean itself) {
    for (int t = 0; t < a.length; t++) {
      for (int s = 0; s < a[t].length; s++) {
        for (int j = 0; j < a[t][s].length; j++) {
          if ((j == unit) == itself && a[t][s][j] != b[t][s][j]) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
