package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reused buffers, views and types: a long-lived network must behave like a fresh one. */
class LstmBufferTest {
  private static final int H = 7;
  private static final int I = 2;

  private static Config config(boolean leak) {
    return LstmTestSupport.config(H, leak, InitialState.RANDOM);
  }

  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void growingAndShrinkingShapesMatchFreshNetworks(boolean leak) {
    Network reused = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 3);
    int[][] shapes = {{5, 2}, {12, 4}, {3, 1}, {12, 4}, {1, 3}, {8, 6}, {2, 2}};
    SplittableRandom rng = new SplittableRandom(77);
    for (int[] shape : shapes) {
      int steps = shape[0];
      int batch = shape[1];
      String at = " for T=" + steps + ", B=" + batch;
      INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, I);
      INDArray h0 = reused.initialState(batch, rng);
      INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, H);
      Network fresh = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 3);

      Trajectory a = reused.forward(x, h0);
      Trajectory b = fresh.forward(x, h0);
      assertArrayEquals(new long[] {steps, batch, H}, a.hidden().shape());
      ModelTestSupport.assertIdentical(b.hidden(), a.hidden(), "hidden" + at);
      ModelTestSupport.assertIdentical(h0, a.initialState(), "h0" + at);
      Map<String, INDArray> gatesA = a.extras();
      for (Map.Entry<String, INDArray> e : b.extras().entrySet()) {
        ModelTestSupport.assertIdentical(e.getValue(), gatesA.get(e.getKey()), e.getKey() + at);
      }
      Map<String, INDArray> ga = ModelTestSupport.gradientArrays(reused);
      Map<String, INDArray> gb = ModelTestSupport.gradientArrays(fresh);
      reused.backward(a, dLdh.dup(), ga);
      fresh.backward(b, dLdh.dup(), gb);
      for (String name : ga.keySet()) {
        ModelTestSupport.assertIdentical(gb.get(name), ga.get(name), name + at);
      }
      // The last step is reachable with the usual ND4J indexing (ND4J 1.0.0-M2.1 returns an
      // empty scalar for the last slice of a view at a non-zero offset).
      INDArray last = a.hidden().slice(steps - 1);
      assertArrayEquals(new long[] {batch, H}, last.shape());
      ModelTestSupport.assertIdentical(b.hidden().get(point(steps - 1), all(), all()), last, "last" + at);
      ModelTestSupport.assertIdentical(last, a.hidden().tensorAlongDimension(steps - 1, 1, 2), "tad" + at);
      assertEquals(0, a.initialState().offset());
    }
  }

  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void gradientDoesNotDependOnHowDldhIsStored(boolean leak) {
    Network net = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 8);
    SplittableRandom rng = new SplittableRandom(5);
    int steps = 6;
    int batch = 3;
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, I);
    INDArray h0 = net.initialState(batch, rng);
    INDArray big = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps + 2, batch, H);
    INDArray dLdh = big.get(interval(2, steps + 2), all(), all()); // a view at a non-zero offset
    INDArray reference = dLdh.dup();

    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> plain = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.dup(), plain);
    Map<String, INDArray> fromView = ModelTestSupport.gradientArrays(net);
    net.backward(traj, dLdh, fromView); // also: backward twice on one trajectory
    Map<String, INDArray> fromFloat = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.castTo(DataType.FLOAT), fromFloat);
    Map<String, INDArray> fromFortran = ModelTestSupport.gradientArrays(net);
    net.backward(traj, reference.dup('f'), fromFortran);
    for (String name : plain.keySet()) {
      assertTrue(plain.get(name).norm2Number().doubleValue() > 0, name);
      ModelTestSupport.assertIdentical(plain.get(name), fromView.get(name), name + " (view)");
      ModelTestSupport.assertIdentical(plain.get(name), fromFortran.get(name), name + " (f order)");
      assertTrue(ModelTestSupport.maxRelativeDifference(fromFloat.get(name), plain.get(name)) < 1e-6, name + " (float)");
    }
  }

  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void floatNetworkAgreesWithDoubleAndAcceptsOtherInputTypes(boolean leak) {
    Network dbl = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 4);
    Network flt = LstmTestSupport.network(config(leak), I, DataType.FLOAT, 4);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 9, 4, I);
    INDArray h0 = dbl.initialState(4, rng);
    INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 9, 4, H);
    Trajectory td = dbl.forward(x, h0);
    Trajectory tf = flt.forward(x, h0); // double inputs and h0 into a float network
    assertEquals(DataType.FLOAT, tf.hidden().dataType());
    assertTrue(ModelTestSupport.maxRelativeDifference(tf.hidden(), td.hidden()) < 1e-5);
    assertTrue(ModelTestSupport.maxRelativeDifference(tf.extras().get("c"), td.extras().get("c")) < 1e-5);
    Map<String, INDArray> gd = ModelTestSupport.gradientArrays(dbl);
    Map<String, INDArray> gf = ModelTestSupport.gradientArrays(flt);
    dbl.backward(td, dLdh.dup(), gd);
    flt.backward(tf, dLdh.castTo(DataType.FLOAT), gf);
    for (String name : gd.keySet()) {
      assertEquals(DataType.FLOAT, gf.get(name).dataType());
      assertTrue(ModelTestSupport.maxRelativeDifference(gf.get(name), gd.get(name)) < 1e-4, name);
    }
  }

  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void parameterUpdatesBetweenCallsAreSeen(boolean leak) {
    Network net = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 4);
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I);
    INDArray h0 = net.initialState(2, rng);
    INDArray before = net.forward(x, h0).hidden().dup();
    // An optimizer updates the live arrays in place.
    ModelTestSupport.param(net, "w_hh").muli(1.5);
    ModelTestSupport.param(net, "b_ih").subi(0.1);
    ModelTestSupport.param(net, "w_ih").addi(0.05);
    if (leak) {
      ModelTestSupport.param(net, "taus").addi(0.7);
    }
    Network fresh = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 99);
    ModelTestSupport.copyParameters(net, fresh);
    INDArray after = net.forward(x, h0).hidden();
    ModelTestSupport.assertIdentical(fresh.forward(x, h0).hidden(), after, "hidden");
    assertTrue(ModelTestSupport.maxRelativeDifference(after, before) > 1e-3);
  }

  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void staleTrajectoriesAndBadShapesAreRejected(boolean leak) {
    Network net = LstmTestSupport.network(config(leak), I, DataType.DOUBLE, 4);
    SplittableRandom rng = new SplittableRandom(1);
    Trajectory first = net.forward(ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I), net.initialState(2, rng));
    Trajectory second = net.forward(ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I), net.initialState(2, rng));
    Map<String, INDArray> g = ModelTestSupport.gradientArrays(net);
    assertThrows(IllegalStateException.class,
        () -> net.backward(first, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, H), g));
    assertThrows(IllegalArgumentException.class,
        () -> net.backward(second, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 3, 2, H), g));
    assertThrows(IllegalArgumentException.class,
        () -> net.forward(ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I + 1), net.initialState(2, rng)));
    assertThrows(IllegalArgumentException.class,
        () -> net.forward(ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, I), net.initialState(3, rng)));
    Map<String, INDArray> wrong = ModelTestSupport.gradientArrays(net);
    wrong.put("w_hh", ModelTestSupport.gaussian(rng, DataType.DOUBLE, H, 4 * H));
    assertThrows(IllegalArgumentException.class,
        () -> net.backward(second, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 4, 2, H), wrong));
  }
}
