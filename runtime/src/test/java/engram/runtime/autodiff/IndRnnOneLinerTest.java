package engram.runtime.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The README's forward-only IndRNN (one line of SameDiff) gives the step and VJP of the
 * hand-written IndRNN of the plugin template: h' = ReLU(x·Wᵀ + u⊙h + b).
 */
class IndRnnOneLinerTest {
  private static final int H = 4;
  private static final int I = 3;

  private static List<Parameter> newParameters() {
    Nd4j.getRandom().setSeed(11);
    return List.of(
        new Parameter("w", Nd4j.randn(DataType.DOUBLE, H, I), true),
        new Parameter("u", Nd4j.rand(DataType.DOUBLE, H), true),
        new Parameter("b", Nd4j.randn(DataType.DOUBLE, H).muli(0.1), true));
  }

  /** Exactly the README's line. */
  static final class IndRnn extends AutodiffCell {
    final List<Parameter> parameters = newParameters();

    @Override
    public int hiddenSize() {
      return H;
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    @Override
    public INDArray initialState(int batch, RandomGenerator rng) {
      return Nd4j.zeros(DataType.DOUBLE, batch, H);
    }

    @Override
    protected Outputs forward(
        SameDiff sd, SDVariable h, SDVariable x, SDVariable drive, Map<String, SDVariable> p) {
      return new Outputs(
          sd.nn()
              .relu(
                  sd.mmul(x, p.get("w"), false, true, false).add(h.mul(p.get("u"))).add(p.get("b")),
                  0),
          Map.of());
    }
  }

  @Test
  void theReadmesLineIsIndRnn() {
    IndRnn cell = new IndRnn();
    INDArray w = cell.parameters.get(0).value();
    INDArray u = cell.parameters.get(1).value();
    INDArray b = cell.parameters.get(2).value();
    Nd4j.getRandom().setSeed(12);
    INDArray h = Nd4j.randn(DataType.DOUBLE, 5, H);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 5, I);
    INDArray g = Nd4j.randn(DataType.DOUBLE, 5, H);
    INDArray p = x.mmul(w.transpose()).addi(h.mulRowVector(u)).addiRowVector(b);
    INDArray next = p.gt(0.0).castTo(DataType.DOUBLE).muli(p);
    INDArray delta = g.mul(p.gt(0.0).castTo(DataType.DOUBLE));

    Cell.Step step = cell.step(h, x, null);
    Map<String, INDArray> grads = new HashMap<>();
    cell.parameters.forEach(q -> grads.put(q.name(), q.value().ulike().assign(0)));
    Cell.StepGradients vjp = cell.vjp(step, g, Map.of(), grads);
    close("h'", next, step.next());
    close("dL/dh", delta.mulRowVector(u), vjp.previous());
    close("dL/dx", delta.mmul(w), vjp.input());
    close("dW", delta.transpose().mmul(x), grads.get("w"));
    close("du", delta.mul(h).sum(0), grads.get("u"));
    close("db", delta.sum(0), grads.get("b"));
  }

  private static void close(String what, INDArray want, INDArray got) {
    double diff = want.sub(got).norm2Number().doubleValue();
    assertTrue(
        diff <= 1e-12 * Math.max(1, want.norm2Number().doubleValue()), what + ": |Δ| = " + diff);
  }
}
