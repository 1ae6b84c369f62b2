package engram.models.leaky;

import engram.api.NetworkSpec;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.testkit.GradientCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One step's VJP (state, input, every parameter, with the drive ξ and dL/dpre) against central
 * differences, in float64, for both placements of φ and each nonlinearity, τ trained and fixed.
 */
class LeakyRnnCellTest {

  @ParameterizedTest(name = "phi {0}, {1}, train-tau {2}")
  @CsvSource({
    "OUTSIDE, LEAKY_RELU, true",
    "OUTSIDE, RELU, true",
    "OUTSIDE, TANH, true",
    "INSIDE, LEAKY_RELU, true",
    "INSIDE, RELU, false",
    "INSIDE, TANH, true",
    "OUTSIDE, TANH, false"
  })
  void stepVjpMatchesCentralDifferences(Phi phi, Nonlinearity nl, boolean trainTau) {
    // τ from U(1.05, 3) keeps every τ clear of the clamp's kink at 1
    Config config =
        new Config(
            5,
            nl,
            0.2,
            phi,
            trainTau,
            1.05,
            3.0,
            2.0,
            0.1,
            LeakyRnnModel.RecurrentInit.GAUSSIAN,
            1.5);
    LeakyRnnCell cell =
        (LeakyRnnCell)
            new LeakyRnnModel()
                .create(config, new NetworkSpec(3, DataType.DOUBLE), new SplittableRandom(17));
    GradientCheck.checkStep(cell, 3, 4, 23, 1e-6);
  }
}
