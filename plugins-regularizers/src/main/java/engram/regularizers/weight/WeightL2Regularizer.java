package engram.regularizers.weight;

import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weight L2 (weight decay as a loss term): {@code L = λ/2 · Σ_p Σ_j θ_{p,j}²} over the trainable
 * parameters p whose names are listed in {@code parameters}. The factor ½ makes the gradient {@code
 * dL/dθ = λ·θ}, the convention of PyTorch's {@code weight_decay} (with plain SGD), so a {@code
 * lambda} here equals a PyTorch {@code weight_decay}. The gradient is added into the gradient map,
 * never overwriting it. (With an adaptive optimizer such as Adam this is coupled L2, not AdamW's
 * decoupled decay.)
 *
 * <p>Listed names that the network does not have (or has only as non-trainable tensors) are
 * skipped, so one list such as the default {@code [w_rec, w_hh]} serves several models; if none of
 * the listed names is a trainable parameter of the network, the term fails with a message naming
 * the network's trainable parameters.
 */
public final class WeightL2Regularizer implements Regularizer<WeightL2Regularizer.Config> {

  /** The id, also the prefix of this term's error messages. */
  public static final String ID = "weight-l2";

  /**
   * @param lambda strength λ of λ/2·Σθ²
   * @param parameters names of the parameters to penalise
   */
  public record Config(
      @Doc("strength λ of λ/2·Σθ² (gradient λ·θ, like PyTorch weight_decay), ≥ 0") double lambda,
      @Doc(
              "names of the trainable parameters to penalise; names the network lacks are skipped,"
                  + " but at least one must exist")
          List<String> parameters) {
    public Config {
      Check.nonNegative("lambda", lambda);
      Check.notNull("parameters", parameters);
      if (parameters.isEmpty()) {
        throw new IllegalArgumentException("parameters must name at least one parameter (was [])");
      }
      for (String name : parameters) {
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException(
              "parameters must not contain blank names (was " + parameters + ")");
        }
      }
      parameters = List.copyOf(parameters);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Weight L2 penalty λ/2·Σθ²",
        "Adds λ/2 times the sum of squares of the listed trainable parameters (default the"
            + " recurrent weights w_rec / w_hh); its gradient λ·θ matches PyTorch weight_decay.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(1e-3, List.of("w_rec", "w_hh"));
  }

  @Override
  public double onParameters(Config config, ParameterInput input) {
    List<Parameter> selected = new ArrayList<>();
    List<String> trainable = new ArrayList<>();
    for (Parameter p : input.parameters()) {
      if (p.trainable()) {
        trainable.add(p.name());
        if (config.parameters().contains(p.name())) {
          selected.add(p);
        }
      }
    }
    // Checked even when λ is 0, so a wrong list is reported whatever the strength.
    if (selected.isEmpty()) {
      throw new IllegalArgumentException(
          ID
              + ".parameters "
              + config.parameters()
              + " names no trainable parameter of this network; its trainable parameters are "
              + trainable);
    }
    double lambda = config.lambda();
    if (lambda == 0) {
      return 0;
    }
    Map<String, INDArray> gradients = input.gradients();
    double sumSquares = 0;
    for (Parameter p : selected) {
      INDArray gradient = gradients.get(p.name());
      if (gradient == null) {
        throw new IllegalStateException(
            ID + ": no gradient for trainable parameter '" + p.name() + "'");
      }
      INDArray theta = p.value();
      double norm = theta.norm2Number().doubleValue();
      sumSquares += norm * norm;
      gradient.addi(theta.mul(lambda));
    }
    return lambda / 2 * sumSquares;
  }
}
