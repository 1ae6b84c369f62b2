package org.example.engram.indrnn;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Model {@code indrnn}: the independently recurrent neural network of Li, Li, Cook, Zhu and Gao,
 * "Independently Recurrent Neural Network (IndRNN)", CVPR 2018 (arXiv 1803.04831). Each unit sees
 * only its own past, through one recurrent weight u_i, so the recurrence is a vector, not a
 * matrix:
 *
 * <pre>
 *   h_t = ReLU(x_t·Wᵀ + u ⊙ h_{t−1} + b)
 * </pre>
 *
 * <p>A cell is all a model writes: its parameters, one step and that step's vector–Jacobian
 * product. Engram runs the sequence, backpropagation through time, ablation and the Jacobian for
 * fixed-point analyses. Parameters: {@code w [H, I]} ~ U(−1/√I, 1/√I), {@code u [H]} ~ U(0,
 * u-max), {@code b [H]} = 0; h_0 = 0.
 */
public final class IndRnnModel implements Model<IndRnnModel.Config> {

  /** Configuration (YAML keys: {@code hidden-size}, {@code u-max}). */
  public record Config(
      @Doc("Number of hidden units H (count).") int hiddenSize,
      @Doc("Upper end of the uniform initial recurrent weights u ~ U(0, u-max) (dimensionless, > 0;"
          + " above 1 activity can grow along time).") double uMax) {

    /** Validates every component; messages start with the key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      Check.positive("u-max", uMax);
    }
  }

  private static final PluginInfo INFO = new PluginInfo("indrnn",
      "Independently recurrent network (IndRNN)", "h_t = ReLU(W·x_t + u⊙h_{t−1} + b): one"
          + " recurrent weight per unit. Li et al., CVPR 2018 (arXiv 1803.04831).");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public IndRnnModel() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(64, 1.0);
  }

  @Override
  public Cell create(Config config, NetworkSpec spec, RandomGenerator rng) {
    return new IndRnnCell(config, spec, rng);
  }

  /**
   * One step and its VJP. With p = x·Wᵀ + u⊙h + b and δ = dL/dh'⊙[p &gt; 0]: dL/dh = δ⊙u, dL/dx =
   * δ·W, dW = δᵀ·x, du = Σ δ⊙h, db = Σ δ (Σ over the batch's rows).
   */
  static final class IndRnnCell implements Cell {
    private final int hidden;
    private final DataType type;
    private final INDArray w;
    private final INDArray u;
    private final INDArray b;

    IndRnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
      hidden = config.hiddenSize();
      type = spec.dataType();
      double bound = 1.0 / Math.sqrt(spec.inputSize());
      w = uniform(rng, -bound, bound, hidden, spec.inputSize());
      u = uniform(rng, 0.0, config.uMax(), hidden);
      b = Nd4j.zeros(type, hidden);
    }

    private INDArray uniform(RandomGenerator rng, double lo, double hi, long... shape) {
      INDArray a = Nd4j.create(type, shape);
      INDArray flat = a.reshape(a.length());
      for (long i = 0; i < a.length(); i++) {
        flat.putScalar(i, lo + (hi - lo) * rng.nextDouble());
      }
      return a;
    }

    @Override
    public int hiddenSize() {
      return hidden;
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(new Parameter("w", w, true), new Parameter("u", u, true),
          new Parameter("b", b, true));
    }

    @Override
    public INDArray initialState(int batch, RandomGenerator rng) {
      return Nd4j.zeros(type, batch, hidden);
    }

    @Override
    public Step step(INDArray h, INDArray x, INDArray drive) {
      INDArray p = x.mmul(w.transpose()).addi(h.mulRowVector(u)).addiRowVector(b);
      return new Step(h, x, drive, Transforms.relu(p, true), Map.of(), Map.of("p", p));
    }

    @Override
    public StepGradients vjp(Step step, INDArray gNext, Map<String, INDArray> gExtras,
        Map<String, INDArray> g) {
      INDArray delta = gNext.mul(step.saved().get("p").gt(0.0).castTo(type));
      g.get("w").addi(delta.transpose().mmul(step.input()));
      g.get("u").addi(delta.mul(step.previous()).sum(0));
      g.get("b").addi(delta.sum(0));
      return new StepGradients(delta.mulRowVector(u), delta.mmul(w));
    }
  }
}
