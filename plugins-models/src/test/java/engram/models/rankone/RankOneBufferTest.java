package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reused buffers, views and types: a long-lived network must behave like a fresh one. */
class RankOneBufferTest {
  private static final int H = 7;
  private static final int I = 2;

  @Test
  void growingAndShrinkingShapesMatchFreshNetworksBitForBit() {
    Network reused = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 3);
    int[][] shapes = {{5, 2}, {12, 4}, {3, 1}, {12, 4}, {1, 3}, {8, 6}};
    SplittableRandom rng = new SplittableRandom(77);
    for (int[] shape : shapes) {
      int steps = shape[0];
      int batch = shape[1];
      String at = " for T=" + steps + ", B=" + batch;
      INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, I);
      INDArray x0 = reused.initialState(batch, rng);
      INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, H);
      Network fresh = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 3);

      Trajectory a = reused.forward(x, x0);
      Trajectory b = fresh.forward(x, x0);
      assertArrayEquals(new long[] {steps, batch, H}, a.hidden().shape());
      ModelTestSupport.assertIdentical(b.hidden(), a.hidden(), "hidden" + at);
      ModelTestSupport.assertIdentical(b.extras().get("rates"), a.extras().get("rates"), "rates" + at);
      ModelTestSupport.assertIdentical(b.extras().get("kappa"), a.extras().get("kappa"), "kappa" + at);
      assertArrayEquals(new long[] {steps, batch, 1}, a.extras().get("kappa").shape());
      ModelTestSupport.assertIdentical(x0, a.initialState(), "x0");
      Map<String, INDArray> ga = ModelTestSupport.gradientArrays(reused);
      Map<String, INDArray> gb = ModelTestSupport.gradientArrays(fresh);
      reused.backward(a, dLdh.dup(), ga);
      fresh.backward(b, dLdh.dup(), gb);
      for (String name : ga.keySet()) {
        ModelTestSupport.assertIdentical(gb.get(name), ga.get(name), name + at);
      }
      INDArray last = a.hidden().slice(steps - 1);
      assertArrayEquals(new long[] {batch, H}, last.shape());
      ModelTestSupport.assertIdentical(b.hidden().get(point(steps - 1), all(), all()), last, "last");
      INDArray lastRates = a.extras().get("rates").slice(steps - 1);
      assertArrayEquals(new long[] {batch, H}, lastRates.shape());
    }
  }

  @Test
  void floatAgreesWithDoubleAndDldhMayBeAnyLayout() {
    Network dbl = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 4);
    Network flt = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.FLOAT, 4);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 9, 4, I);
    INDArray x0 = dbl.initialState(4, rng);
    INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 9, 4, H);
    Trajectory td = dbl.forward(x, x0);
    Trajectory tf = flt.forward(x, x0);
    assertEquals(DataType.FLOAT, tf.hidden().dataType());
    assertEquals(DataType.FLOAT, tf.extras().get("rates").dataType());
    assertTrue(ModelTestSupport.maxRelativeDifference(tf.hidden(), td.hidden()) < 1e-5);
    Map<String, INDArray> gd = ModelTestSupport.gradientArrays(dbl);
    Map<String, INDArray> gf = ModelTestSupport.gradientArrays(flt);
    Map<String, INDArray> gF = ModelTestSupport.gradientArrays(dbl);
    dbl.backward(td, dLdh.dup(), gd);
    flt.backward(tf, dLdh, gf);
    dbl.backward(td, dLdh.dup('f'), gF);
    for (String name : gd.keySet()) {
      assertTrue(ModelTestSupport.maxRelativeDifference(gf.get(name), gd.get(name)) < 1e-4, name);
      ModelTestSupport.assertIdentical(gd.get(name), gF.get(name), name + " (f order)");
    }
  }

  @Test
  void parameterUpdatesAreSeenAndStaleTrajectoriesRejected() {
    Network net = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 4);
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I);
    INDArray x0 = net.initialState(2, rng);
    Trajectory first = net.forward(x, x0);
    ModelTestSupport.param(net, "m").muli(1.5);
    ModelTestSupport.param(net, "n").subi(0.2);
    ModelTestSupport.param(net, "b").addi(0.1);
    Network fresh = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 99);
    ModelTestSupport.copyParameters(net, fresh);
    Trajectory second = net.forward(x, x0);
    ModelTestSupport.assertIdentical(fresh.forward(x, x0).hidden(), second.hidden(), "hidden");
    Map<String, INDArray> g = ModelTestSupport.gradientArrays(net);
    assertThrows(IllegalStateException.class,
        () -> net.backward(first, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, H), g));
    assertThrows(IllegalArgumentException.class,
        () -> net.backward(second, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 3, 2, H), g));
    assertThrows(IllegalArgumentException.class,
        () -> net.forward(ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I + 1), x0));
  }
}
