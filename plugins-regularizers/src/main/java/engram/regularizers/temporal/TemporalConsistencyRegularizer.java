package engram.regularizers.temporal;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Batch;
import engram.api.task.Periods;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Temporal consistency regularization (TCR): penalises how fast the hidden state moves from one
 * step to the next, {@code λ · mean (h_{t+1} − h_t)²}.
 *
 * <p><b>Source.</b> Haputhanthri et al. 2025, "temporal consistency regularization" (arXiv
 * 2502.07256). This implementation is <b>reconstructed from the paper's abstract</b> (see the
 * project spec {@code memory-geometry.md} §4), not from its equations or code; details such as the
 * exact normalisation and schedule may differ from the authors'.
 *
 * <p><b>Formula.</b> With hidden states {@code h} of shape {@code [T, B, H]} (steps 0..T−1 in code,
 * h_1..h_T in the paper), the scored pairs are {@code (t, t+1)} for {@code t = 0..T−2} and each
 * sequence {@code b}, with a 0/1 weight {@code m[t,b]}: 1 for every pair when {@code period} is
 * empty, otherwise 1 only when <em>both</em> step t and step t+1 of sequence b lie in the named
 * period. With {@code d[t,b,i] = h[t+1,b,i] − h[t,b,i]} and {@code N = H · Σ_{t,b} m[t,b]} (the
 * number of contributing (pair, sequence, unit) entries; for all steps {@code N = (T−1)·B·H}):
 *
 * <ul>
 *   <li>plain: {@code L = λ_s / N · Σ_{t,b,i} m[t,b] · d[t,b,i]²}
 *   <li>{@code normalised}: {@code L = λ_s / N · Σ_{t,b} m[t,b] · (Σ_i d[t,b,i]²) / D[t,b]}, with
 *       {@code D[t,b] = ‖h[t,b,:]‖² + ε = Σ_i h[t,b,i]² + ε}, the squared Euclidean norm over units
 *       of the <em>earlier</em> state of the pair plus {@code epsilon}. N is the same count as
 *       above (the mean is still over (pair, sequence, unit) entries).
 * </ul>
 *
 * <p>Gradient (added into {@code dLdh}, never overwriting it), with {@code g = 2λ_s/N · m · d / D}
 * ({@code D = 1} for the plain form): {@code dL/dh[t+1] += g}; {@code dL/dh[t] −= g} and, for the
 * normalised form only, additionally {@code dL/dh[t] −= 2λ_s/N · m · (Σ_i d²) / D² · h[t]} (the
 * derivative of the denominator). When no pair is scored (T = 1, or the period never spans two
 * consecutive steps) the term is 0 and {@code dLdh} is untouched.
 *
 * <p><b>Schedule.</b> {@code λ_s} is {@code lambda} at training step s (steps completed before this
 * one): {@code constant}: λ; {@code until-step}: λ for s &lt; until-step, then 0; {@code warmup}:
 * {@code λ · min(1, s / until-step)}, a linear ramp from 0 at step 0 to λ at step until-step. A
 * schedule "until the task loss drops" (mentioned in the spec) is not supported: regularizers are
 * stateless and do not see the task loss.
 *
 * <p><b>Not yet supported.</b> The paper's variant on pre-activations (the recurrent input before
 * the nonlinearity) needs the model to expose pre-activations and their backward pass; only the
 * variant on the hidden states (rates) given to regularizers is implemented.
 */
public final class TemporalConsistencyRegularizer
    implements Regularizer<TemporalConsistencyRegularizer.Config> {

  /** The id, also the prefix of this term's error messages. */
  public static final String ID = "temporal-consistency";

  private static final String PRE = "pre";

  /** Which activity the term acts on. */
  public enum On {
    /** The hidden states h_t (rates of a rate RNN). */
    RATES,
    /**
     * The model's pre-activations, its extra {@code pre} (the argument of the nonlinearity); needs
     * a model that backpropagates from it (leaky-rnn).
     */
    PRE_ACTIVATIONS
  }

  /** How λ changes with the training step. */
  public enum Schedule {
    /** λ at every step. */
    CONSTANT,
    /** λ for steps &lt; until-step, 0 afterwards. */
    UNTIL_STEP,
    /** λ·min(1, step / until-step): linear ramp from 0 to λ over until-step steps. */
    WARMUP,
    /**
     * λ while the latest evaluation's mean accuracy is below until-accuracy (and before the first
     * evaluation), 0 once it is reached: "TCR until the loss drops". Stateless: should accuracy
     * fall below the threshold again, λ returns.
     */
    UNTIL_ACCURACY
  }

  /**
   * @param lambda strength λ
   * @param period named period to restrict to, "" for all steps
   * @param normalised divide each pair's squared difference by ‖h_t‖² + ε
   * @param epsilon ε of the normalised form
   * @param schedule λ schedule
   * @param untilStep step parameter of the until-step and warmup schedules
   * @param untilAccuracy accuracy threshold of the until-accuracy schedule
   */
  public record Config(
      @Doc("strength λ of λ·mean((h_{t+1} − h_t)²), ≥ 0") double lambda,
      @Doc(
              "named task period to restrict to: only pairs (t, t+1) with both steps in it are"
                  + " scored; empty for all steps")
          String period,
      @Doc("divide each pair's squared difference Σ_i(h_{t+1,i} − h_{t,i})² by ‖h_t‖² + epsilon")
          boolean normalised,
      @Doc("ε added to the squared norm ‖h_t‖² in the normalised form, > 0") double epsilon,
      @Doc(
              "λ schedule over training steps: constant, until-step (λ before until-step, then 0),"
                  + " warmup (linear ramp from 0 to λ over until-step steps) or until-accuracy (λ"
                  + " until the evaluation accuracy reaches until-accuracy)")
          Schedule schedule,
      @Doc(
              "training step (count of steps completed) used by the until-step and warmup"
                  + " schedules; ≥ 1 for those, ignored otherwise")
          long untilStep,
      @Doc(
              "evaluation accuracy (fraction in (0, 1]) at which the until-accuracy schedule turns"
                  + " λ off; ignored otherwise")
          double untilAccuracy,
      @Doc(
              "what the term acts on: rates (the hidden states h) or pre-activations (the model's"
                  + " extra 'pre', the argument of its nonlinearity)")
          On on) {
    public Config {
      Check.nonNegative("lambda", lambda);
      period = period == null ? "" : period.strip();
      Check.positive("epsilon", epsilon);
      Check.notNull("schedule", schedule);
      if (untilStep < 0) {
        throw new IllegalArgumentException("until-step must be ≥ 0 (was " + untilStep + ")");
      }
      if ((schedule == Schedule.UNTIL_STEP || schedule == Schedule.WARMUP) && untilStep < 1) {
        throw new IllegalArgumentException(
            "until-step must be ≥ 1 when schedule is "
                + schedule.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + " (was "
                + untilStep
                + ")");
      }
      Check.notNull("on", on);
      if (!(untilAccuracy > 0 && untilAccuracy <= 1)) {
        throw new IllegalArgumentException(
            "until-accuracy must be in (0, 1] (was " + untilAccuracy + ")");
      }
    }

    /** λ at a training step (steps completed before this one), per the schedule. */
    public double lambdaAt(long step) {
      return lambdaAt(step, Double.NaN);
    }

    /** λ at a training step, given the latest evaluation's mean accuracy (NaN before the first). */
    public double lambdaAt(long step, double accuracy) {
      return switch (schedule) {
        case UNTIL_ACCURACY -> accuracy >= untilAccuracy ? 0 : lambda;
        case CONSTANT -> lambda;
        case UNTIL_STEP -> step < untilStep ? lambda : 0;
        case WARMUP ->
            step >= untilStep ? lambda : lambda * ((double) Math.max(0, step) / untilStep);
      };
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Temporal consistency regularization λ·mean((h_{t+1} − h_t)²)",
        "Adds λ times the mean squared change of the hidden state between consecutive steps,"
            + " optionally only within a named period, normalised by ‖h_t‖² + ε, and with a λ"
            + " schedule. Reconstructed from the abstract of Haputhanthri et al. 2025"
            + " (arXiv 2502.07256); the pre-activation variant is not supported.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(1e-3, "", false, 1e-6, Schedule.CONSTANT, 0, 0.9, On.RATES);
  }

  @Override
  public double onHidden(Config config, HiddenInput input) {
    INDArray hidden = config.on() == On.RATES ? input.hidden() : input.extras().get(PRE);
    if (hidden == null) {
      throw new IllegalArgumentException(
          ID
              + ".on: pre-activations needs a model that exposes its"
              + " pre-activations as the extra '"
              + PRE
              + "'; this one exposes "
              + input.extras().keySet()
              + ". Use on: rates, or a model such as leaky-rnn");
    }
    int steps = (int) hidden.size(0);
    int batch = (int) hidden.size(1);
    int units = (int) hidden.size(2);
    // Validate the period even when λ is 0, so a typo is reported on the first step of any run.
    int position = periodPosition(config, input.batch());
    double lambda = config.lambdaAt(input.step(), input.accuracy());
    // ask for the gradient buffer even when λ is 0, so an unsupported model fails on step 0
    INDArray target = config.on() == On.RATES ? input.dLdh() : input.extraGradients().of(PRE);
    if (lambda == 0 || steps < 2) {
      return 0;
    }
    int pairs = steps - 1;
    double[] weight = new double[pairs * batch];
    long scored = 0;
    byte[] index = position < 0 ? null : input.batch().periods().index();
    for (int t = 0; t < pairs; t++) {
      for (int b = 0; b < batch; b++) {
        boolean counted =
            index == null
                || (index[t * batch + b] == position && index[(t + 1) * batch + b] == position);
        if (counted) {
          weight[t * batch + b] = 1;
          scored++;
        }
      }
    }
    if (scored == 0) {
      return 0;
    }
    double scale = 2 * lambda / ((double) scored * units);
    INDArray mask = Nd4j.create(weight, new long[] {pairs, batch, 1}, hidden.dataType());
    INDArray next = hidden.get(interval(1, steps), all(), all());
    INDArray prev = hidden.get(interval(0, steps - 1), all(), all());
    INDArray diff = next.sub(prev); // [T−1, B, H], a fresh array
    INDArray squares = diff.mul(diff).sum(true, 2); // [T−1, B, 1]: Σ_i d²
    INDArray gradPrev;
    INDArray gradNext;
    double value;
    if (config.normalised()) {
      INDArray denominator = prev.mul(prev).sum(true, 2).addi(config.epsilon()); // ‖h_t‖² + ε
      INDArray w = mask.div(denominator); // m / D
      value = w.mul(squares).sumNumber().doubleValue() * scale / 2;
      gradNext = diff.mul(w).muli(scale);
      INDArray ratio = w.mul(squares).divi(denominator).muli(scale); // 2λ/N · m · S / D²
      gradPrev = gradNext.add(prev.mul(ratio));
    } else {
      value = mask.mul(squares).sumNumber().doubleValue() * scale / 2;
      gradNext = diff.mul(mask).muli(scale);
      gradPrev = gradNext;
    }
    INDArray zeroStep = Nd4j.zeros(hidden.dataType(), 1, batch, units);
    INDArray gradient = Nd4j.concat(0, zeroStep, gradNext).subi(Nd4j.concat(0, gradPrev, zeroStep));
    target.addi(gradient);
    return value;
  }

  /** Position of the configured period in the task's period names, or −1 for all steps. */
  private static int periodPosition(Config config, Batch batch) {
    if (config.period().isEmpty()) {
      return -1;
    }
    if (batch == null) {
      throw new IllegalArgumentException(
          ID
              + ".period '"
              + config.period()
              + "' needs the batch's periods, but no batch was given");
    }
    Periods periods = batch.periods();
    int position = periods.names().indexOf(config.period());
    if (position < 0) {
      throw new IllegalArgumentException(
          ID
              + ".period '"
              + config.period()
              + "' is not a period of this task; its periods are "
              + periods.names()
              + (periods.names().isEmpty()
                  ? " (the task declares none; use period: \"\" for all steps)"
                  : ""));
    }
    return position;
  }
}
