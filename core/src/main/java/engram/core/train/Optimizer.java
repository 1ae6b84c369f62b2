package engram.core.train;

import engram.core.config.OptimizerConfig;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters in place from their gradients, with the update rules of PyTorch's
 * {@code torch.optim.SGD} (momentum, dampening 0, optional Nesterov) and {@code torch.optim.Adam}
 * (bias-corrected), so results are comparable with the papers' code.
 *
 * <p>State (momentum buffers, Adam moments and step counts) is kept per parameter name and created
 * on a parameter's first update, so readout heads added later by a curriculum start fresh.
 */
public abstract sealed class Optimizer {

  /** Applies one update: {@code parameter ← parameter − lr · step(gradient)}. */
  public abstract void update(String name, INDArray parameter, INDArray gradient);

  public static Optimizer create(OptimizerConfig config) {
    return switch (config.type()) {
      case SGD -> new Sgd(config.lr(), config.momentum(), config.nesterov());
      case ADAM -> new Adam(config.lr(), config.beta1(), config.beta2(), config.epsilon());
    };
  }

  /** v ← μ·v + g; θ ← θ − lr·(g + μ·v) with Nesterov, θ ← θ − lr·v without. */
  static final class Sgd extends Optimizer {
    private final double lr;
    private final double momentum;
    private final boolean nesterov;
    private final Map<String, INDArray> velocity = new HashMap<>();

    Sgd(double lr, double momentum, boolean nesterov) {
      this.lr = lr;
      this.momentum = momentum;
      this.nesterov = nesterov;
    }

    @Override
    public void update(String name, INDArray parameter, INDArray gradient) {
      if (momentum == 0) {
        parameter.subi(gradient.mul(lr));
        return;
      }
      INDArray v = velocity.get(name);
      if (v == null) {
        v = gradient.dup(); // PyTorch starts the buffer at the first gradient
        velocity.put(name, v);
      } else {
        v.muli(momentum).addi(gradient);
      }
      if (nesterov) {
        // θ -= lr·g + lr·μ·v, as two fused axpy-style updates without a temporary
        parameter.subi(gradient.mul(lr)).subi(v.mul(lr * momentum));
      } else {
        parameter.subi(v.mul(lr));
      }
    }
  }

  /** m ← β1·m + (1−β1)·g; s ← β2·s + (1−β2)·g²; θ ← θ − lr·m̂/(√ŝ + ε). */
  static final class Adam extends Optimizer {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Map<String, INDArray[]> moments = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();

    Adam(double lr, double beta1, double beta2, double epsilon) {
      this.lr = lr;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.epsilon = epsilon;
    }

    @Override
    public void update(String name, INDArray parameter, INDArray gradient) {
      INDArray[] m = moments.computeIfAbsent(name, k -> new INDArray[] {
          gradient.ulike().assign(0), gradient.ulike().assign(0)});
      int t = steps.merge(name, 1, Integer::sum);
      m[0].muli(beta1).addi(gradient.mul(1 - beta1));
      m[1].muli(beta2).addi(gradient.mul(gradient).muli(1 - beta2));
      double bias1 = 1 - Math.pow(beta1, t);
      double bias2 = 1 - Math.pow(beta2, t);
      INDArray denominator = org.nd4j.linalg.ops.transforms.Transforms.sqrt(m[1], true)
          .divi(Math.sqrt(bias2)).addi(epsilon);
      parameter.subi(m[0].div(denominator).muli(lr / bias1));
    }
  }
}
