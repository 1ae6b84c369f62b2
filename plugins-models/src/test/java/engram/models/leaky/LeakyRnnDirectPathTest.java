package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Blas;
import engram.models.common.ModelTestSupport;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fast paths against the same network computing everything through ND4J: φ outside (direct
 * OpenBLAS products, folded input drive: α⊙u_t added in the step loop, [dW_in | db] per step) and
 * φ inside in float32 (the step's φ, leak and derivative in Java loops, its products through
 * OpenBLAS; tanh from FloatActivations). Hidden states, pre-activations and every gradient agree to
 * rounding, for every φ with a fast path, float and double, I = 1, 3 and 20, with and without a
 * drive ξ and dL/dpre, trainable and fixed τ, and a second call with another shape (buffers reused).
 * The ND4J path itself is checked against finite differences and PyTorch in the other tests.
 */
class LeakyRnnDirectPathTest {

  @Test
  void openBlasIsReachableOnTheCpuBackend() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the direct path must be on");
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      for (Phi phi : Phi.values()) {
        for (Nonlinearity nl : Nonlinearity.values()) {
          if (phi == Phi.OUTSIDE && nl == Nonlinearity.TANH) {
            continue; // (φ outside with tanh has no fast path: both networks run the same code)
          }
          for (int inputs : new int[] {1, 3, 20}) {
            for (boolean drive : new boolean[] {false, true}) {
              for (boolean trainTau : new boolean[] {true, false}) {
                b.add(Arguments.of(type, phi, nl, inputs, drive, trainTau));
              }
            }
          }
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1} {2} I={3} drive={4} trainTau={5}")
  @MethodSource("cases")
  void directAndFoldedPathEqualsTheNd4jPath(DataType type, Phi phi, Nonlinearity nl, int inputs,
      boolean drive, boolean trainTau) {
    int hidden = 12;
    Config config = new Config(hidden, nl, 0.05, phi, trainTau, 1.0, 4.0, 2.5, 0.1,
        LeakyRnnModel.RecurrentInit.UNIFORM, 1.0);
    NetworkSpec spec = new NetworkSpec(inputs, type);
    LeakyRnnNetwork direct = new LeakyRnnNetwork(config, spec, new SplittableRandom(3), true);
    LeakyRnnNetwork nd4j = new LeakyRnnNetwork(config, spec, new SplittableRandom(3), false);
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-5;
    // two shapes, the second smaller (views of the grown buffers), then the first again
    int[][] shapes = {{7, 5}, {4, 3}, {7, 5}};
    for (int round = 0; round < shapes.length; round++) {
      int steps = shapes[round][0];
      int batch = shapes[round][1];
      SplittableRandom rng = new SplittableRandom(100 + round);
      INDArray x = ModelTestSupport.gaussian(rng, type, steps, batch, inputs);
      INDArray h0 = direct.initialState(batch, rng);
      INDArray xi = drive ? ModelTestSupport.gaussian(rng, type, steps, batch, hidden).muli(0.3)
          : null;
      INDArray dLdh = ModelTestSupport.gaussian(rng, type, steps, batch, hidden);
      INDArray dLdPre = ModelTestSupport.gaussian(rng, type, steps, batch, hidden);
      String where = "round " + round + " ";

      Trajectory a = direct.forward(x, h0, xi);
      Trajectory b = nd4j.forward(x, h0, xi);
      ModelTestSupport.assertClose(where + "hidden", b.hidden(), a.hidden(), tolerance);
      ModelTestSupport.assertClose(where + "pre", b.extras().get("pre"), a.extras().get("pre"), tolerance);

      for (boolean withPre : new boolean[] {false, true}) {
        Map<String, INDArray> ga = ModelTestSupport.gradientArrays(direct);
        Map<String, INDArray> gb = ModelTestSupport.gradientArrays(nd4j);
        Map<String, INDArray> extras = withPre ? Map.of("pre", dLdPre) : Map.of();
        direct.backward(a, dLdh.dup(), extras, ga);
        nd4j.backward(b, dLdh.dup(), extras, gb);
        for (Parameter p : direct.parameters()) {
          if (p.trainable()) {
            ModelTestSupport.assertClose(where + "d" + p.name() + (withPre ? " with dL/dpre" : ""),
                gb.get(p.name()), ga.get(p.name()), tolerance);
          }
        }
      }
    }
  }

  @Test
  void theModelBuildsTheDirectPath() {
    // The model's networks take the direct path (so the comparison above covers what runs).
    Config config = TestSupport.config(8, Nonlinearity.LEAKY_RELU, 0.01, Phi.OUTSIDE);
    LeakyRnnNetwork viaModel = (LeakyRnnNetwork) TestSupport.network(config, 1, DataType.FLOAT, 1);
    LeakyRnnNetwork direct = new LeakyRnnNetwork(config, new NetworkSpec(1, DataType.FLOAT),
        new SplittableRandom(1), true);
    SplittableRandom rng = new SplittableRandom(5);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.FLOAT, 6, 2, 1);
    INDArray h0 = viaModel.initialState(2, rng);
    ModelTestSupport.assertIdentical(direct.forward(x, h0).hidden().dup(),
        viaModel.forward(x, h0).hidden().dup(), "model's network = direct path, bit for bit");
  }

  @Test
  void gradientsIntoFortranOrderArraysEqualThoseIntoPlainOnes() {
    // Plain arrays take the host copies' direct write; other layouts the ND4J assigns.
    Config config = TestSupport.config(9, Nonlinearity.LEAKY_RELU, 0.01, Phi.OUTSIDE);
    LeakyRnnNetwork net = new LeakyRnnNetwork(config, new NetworkSpec(2, DataType.FLOAT),
        new SplittableRandom(4), true);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.FLOAT, 5, 3, 2);
    INDArray h0 = net.initialState(3, rng);
    INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.FLOAT, 5, 3, 9);
    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> plain = ModelTestSupport.gradientArrays(net);
    net.backward(traj, dLdh.dup(), plain);
    Map<String, INDArray> fortran = new java.util.LinkedHashMap<>();
    plain.forEach((name, g) -> fortran.put(name, g.dup('f').assign(-7)));
    net.backward(traj, dLdh.dup(), fortran);
    for (String name : plain.keySet()) {
      ModelTestSupport.assertIdentical(plain.get(name), fortran.get(name).dup('c'), name);
    }
  }
}
