package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Blas;
import engram.models.common.ModelTestSupport;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 fast path (products straight through OpenBLAS, each step's elementwise work in one
 * chunked Java pass with the vectorised σ and tanh of FloatActivations, transposes in and out of
 * the feature-major layout in Java) against the same network with every op through ND4J: hidden
 * states, every extra and every gradient agree to float rounding (σ and tanh differ from ND4J's by
 * a few ulp), with and without the leak, I = 1 and I = 20, and shapes in a row (H·B spanning
 * several chunks with a partial last one, a smaller shape on views of the grown buffers with
 * float64 inputs, one step, then the first again). dL/dh is given once as a float C-order array (used as is) and once as a
 * float64 one (converted). The ND4J path itself is checked against finite differences, PyTorch
 * and hand computations in the other tests.
 */
class LstmFastPathTest {

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (boolean leak : new boolean[] {false, true}) {
      for (int inputs : new int[] {1, 20}) {
        b.add(Arguments.of(leak, inputs));
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "leak {0}, I = {1}")
  @MethodSource("cases")
  void fastPathEqualsTheNd4jPath(boolean leak, int inputs) {
    int hidden = 40; // H·B = 2400 at B = 60: one full chunk of 2048 and a partial one
    Config config = LstmTestSupport.config(hidden, leak, InitialState.RANDOM);
    NetworkSpec spec = new NetworkSpec(inputs, DataType.FLOAT);
    LstmNetwork fast = new LstmNetwork(config, spec, new SplittableRandom(3), true);
    LstmNetwork nd4j = new LstmNetwork(config, spec, new SplittableRandom(3), false);
    ModelTestSupport.param(fast, "w_hh").muli(2.0);
    ModelTestSupport.param(nd4j, "w_hh").muli(2.0);
    if (leak) {
      // Some τ below 1 (clamped), the rest spread above.
      INDArray taus = Nd4j.linspace(0.5, 4.0, hidden, DataType.FLOAT);
      ModelTestSupport.param(fast, "taus").assign(taus);
      ModelTestSupport.param(nd4j, "taus").assign(taus);
    }
    // A batch over several chunks, a smaller shape (views of the grown buffers), one step, the
    // first shape again.
    int[][] shapes = {{6, 60}, {4, 3}, {1, 2}, {6, 60}};
    for (int round = 0; round < shapes.length; round++) {
      int steps = shapes[round][0];
      int batch = shapes[round][1];
      SplittableRandom rng = new SplittableRandom(100 + round);
      INDArray x = ModelTestSupport.gaussian(rng, DataType.FLOAT, steps, batch, inputs);
      INDArray h0 = fast.initialState(batch, rng);
      INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.FLOAT, steps, batch, hidden);
      String where = "round " + round + " ";

      // Round 1 gives the inputs as float64 (the network converts them).
      Trajectory a = fast.forward(round == 1 ? x.castTo(DataType.DOUBLE) : x, h0);
      Trajectory b = nd4j.forward(x, h0);
      ModelTestSupport.assertClose(where + "hidden", b.hidden(), a.hidden(), 2e-5);
      for (String extra : new String[] {"c", "i", "f", "g", "o"}) {
        ModelTestSupport.assertClose(where + extra, b.extras().get(extra), a.extras().get(extra), 2e-5);
      }
      for (DataType gradType : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        Map<String, INDArray> ga = ModelTestSupport.gradientArrays(fast);
        Map<String, INDArray> gb = ModelTestSupport.gradientArrays(nd4j);
        INDArray given = dLdh.castTo(gradType);
        fast.backward(a, given, ga);
        assertEquals(0.0, given.castTo(DataType.FLOAT).sub(dLdh).amaxNumber().doubleValue(),
            "dL/dh is only read");
        nd4j.backward(b, dLdh.dup(), gb);
        assertEquals(gb.keySet(), ga.keySet());
        for (Parameter p : fast.parameters()) {
          if (p.trainable()) {
            ModelTestSupport.assertClose(where + "d" + p.name() + " (dL/dh " + gradType + ")", gb.get(p.name()),
                ga.get(p.name()), 1e-4);
          }
        }
      }
    }
  }

  @Test
  void theModelBuildsTheFastPath() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the fast path must be on");
    Config config = LstmTestSupport.config(8, true, InitialState.RANDOM);
    LstmNetwork viaModel = (LstmNetwork) LstmTestSupport.network(config, 1, DataType.FLOAT, 1);
    LstmNetwork fast = new LstmNetwork(config, new NetworkSpec(1, DataType.FLOAT),
        new SplittableRandom(1), true);
    LstmNetwork nd4j = new LstmNetwork(config, new NetworkSpec(1, DataType.FLOAT),
        new SplittableRandom(1), false);
    SplittableRandom rng = new SplittableRandom(5);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.FLOAT, 6, 2, 1);
    INDArray h0 = viaModel.initialState(2, rng);
    INDArray fromModel = viaModel.forward(x, h0).hidden().dup();
    ModelTestSupport.assertIdentical(fast.forward(x, h0).hidden().dup(), fromModel,
        "model's network = fast path, bit for bit");
    assertTrue(nd4j.forward(x, h0).hidden().sub(fromModel).amaxNumber().doubleValue() > 0,
        "the ND4J path should differ from the fast path in the last bits");
  }
}
