package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.task.Batch;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a term to the training loss, with its gradient. Each term is logged as its own column of
 * {@code metrics.csv}. Several regularizers can be combined in one experiment; each sees only its
 * own configuration. Implementations are stateless: everything a term needs (including the training
 * step, for a λ schedule) arrives in the call. Units: a term's value is in the units of the loss
 * (nats for cross-entropy), and its gradient is that value's exact derivative, so gradient checks
 * by finite differences apply. Arrays are of the network's data type.
 *
 * @param <C> configuration record (strength λ, ...)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Regularizer<C extends Record> extends Plugin<C> {

  /**
   * What a term on the hidden trajectory sees. Called after the forward pass, before backward.
   *
   * @param hidden {@code [T, B, H]} hidden states h_1..h_T, read only
   * @param dLdh {@code [T, B, H]}: add this term's gradient to it (never overwrite)
   * @param batch the batch the trajectory was computed on (inputs, targets, named periods)
   * @param step training steps completed before this one (0 on the first step)
   * @param accuracy mean accuracy over the active heads at the latest evaluation, NaN before the
   *     first (for schedules such as "until the loss drops")
   * @param extras the trajectory's extras by name ({@link Trajectory#extras()}), read only
   * @param extraGradients where a term on an extra adds its gradient
   */
  record HiddenInput(
      INDArray hidden,
      INDArray dLdh,
      Batch batch,
      long step,
      double accuracy,
      Map<String, INDArray> extras,
      ExtraGradients extraGradients) {
    /**
     * An input before any evaluation, without extras.
     *
     * @param hidden {@code [T, B, H]} hidden states, read only
     * @param dLdh {@code [T, B, H]} gradient to add to
     * @param batch the batch the trajectory was computed on
     * @param step training steps completed before this one
     */
    public HiddenInput(INDArray hidden, INDArray dLdh, Batch batch, long step) {
      this(hidden, dLdh, batch, step, Double.NaN);
    }

    /**
     * An input without extras.
     *
     * @param hidden {@code [T, B, H]} hidden states, read only
     * @param dLdh {@code [T, B, H]} gradient to add to
     * @param batch the batch the trajectory was computed on
     * @param step training steps completed before this one
     * @param accuracy mean accuracy at the latest evaluation, NaN before the first
     */
    public HiddenInput(INDArray hidden, INDArray dLdh, Batch batch, long step, double accuracy) {
      this(hidden, dLdh, batch, step, accuracy, Map.of(), ExtraGradients.NONE);
    }
  }

  /** Gives the gradient buffer of an extra, for terms on pre-activations or gates. */
  interface ExtraGradients {
    /** None available: every request fails. */
    ExtraGradients NONE =
        name -> {
          throw new IllegalArgumentException(
              "this model cannot backpropagate from '"
                  + name
                  + "'; it can from none of its extras");
        };

    /**
     * The gradient buffer of an extra, shaped like it and zero before the first term adds to it in
     * this step; add to it, never overwrite.
     *
     * @param extra a name in {@link Network#differentiableExtras()}
     * @return the live gradient buffer of that extra, of the extra's shape and data type
     * @throws IllegalArgumentException naming the extras the model can take when it cannot take
     *     this one
     */
    INDArray of(String extra);
  }

  /**
   * What a term on the parameters sees. Called after backward.
   *
   * @param parameters the network's parameters, read only
   * @param gradients dL/dθ per trainable parameter name: add this term's gradient to them
   * @param step training steps completed before this one
   */
  record ParameterInput(List<Parameter> parameters, Map<String, INDArray> gradients, long step) {}

  /**
   * What a perturbation sees before a training step's forward pass.
   *
   * @param inputs {@code [T, B, I]} inputs of this step; add input noise to them in place
   * @param hiddenSize H, for the shape of a recurrent drive
   * @param batch the batch being trained on
   * @param step training steps completed before this one
   * @param rng the run's noise stream (seeded; the only source of randomness here)
   */
  record PerturbationInput(
      INDArray inputs,
      int hiddenSize,
      Batch batch,
      long step,
      java.util.random.RandomGenerator rng) {}

  /**
   * Perturbs a training step (noise injection): may add noise to the inputs in place, and may
   * return a recurrent drive ξ {@code [T, B, H]} of the inputs' data type that the network adds to
   * every unit's input at every step (see {@link Network#forward(INDArray, INDArray, INDArray)}).
   * Called on training steps only; evaluation sees the noise-free network.
   *
   * @param config validated configuration
   * @param input the step's inputs and noise stream
   * @return the drive, or null for none
   */
  default INDArray perturb(C config, PerturbationInput input) {
    return null;
  }

  /**
   * A term on the hidden trajectory: adds its gradient to {@link HiddenInput#dLdh()} (and to {@link
   * HiddenInput#extraGradients()} for a term on an extra) and returns its value. Called on every
   * training step, after the forward pass and before backward; the default adds nothing. Core also
   * calls it once before training, on a trial trajectory with a scratch {@code dLdh}, so a term
   * that does not fit the experiment (a period the task lacks, an extra the model does not have)
   * stops the run before it starts.
   *
   * @param config validated configuration
   * @param input the trajectory and where its gradient goes
   * @return the term's value, a finite number added to the loss and logged as {@code reg_<id>} (the
   *     sum of this and {@link #onParameters})
   * @throws IllegalArgumentException when the term does not fit the task or model, naming the key
   *     and what would fit
   */
  default double onHidden(C config, HiddenInput input) {
    return 0;
  }

  /**
   * A term on the parameters: adds its gradient to {@link ParameterInput#gradients()} and returns
   * its value. Called on every training step after backward (before clipping and the optimizer
   * step); the default adds nothing.
   *
   * @param config validated configuration
   * @param input the parameters and their gradients
   * @return the term's value, a finite number added to the loss and logged as {@code reg_<id>}
   */
  default double onParameters(C config, ParameterInput input) {
    return 0;
  }
}
