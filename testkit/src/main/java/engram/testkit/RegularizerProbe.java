package engram.testkit;

import engram.api.Constraint;
import engram.api.Parameter;
import engram.api.task.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a regularizer's terms are checked on ({@link GradientCheck#checkRegularizer}): a hidden
 * trajectory with its extras and batch for {@link engram.api.Regularizer#onHidden}, parameters for
 * {@link engram.api.Regularizer#onParameters}, the training step and the latest accuracy. Arrays
 * are float64; the probe is immutable, its {@code with…} methods return a new one.
 *
 * @param hidden {@code [T, B, H]} hidden states
 * @param extras extras by name, each {@code [T, B, K]}; their gradients are offered to the term
 * @param batch the batch the trajectory belongs to (its periods, for terms on a named period)
 * @param parameters the network's parameters
 * @param step training steps completed
 * @param accuracy the latest evaluation accuracy, NaN before the first
 */
public record RegularizerProbe(
    INDArray hidden,
    Map<String, INDArray> extras,
    Batch batch,
    List<Parameter> parameters,
    long step,
    double accuracy) {
  /**
   * Copies the extras and parameters into unmodifiable collections.
   *
   * @param hidden {@code [T, B, H]}
   * @param extras extras by name
   * @param batch the batch, with T·B periods
   * @param parameters the parameters
   * @param step training steps completed
   * @param accuracy the latest accuracy or NaN
   */
  public RegularizerProbe {
    extras = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    parameters = List.copyOf(parameters);
  }

  /**
   * A random probe: hidden states N(0, 0.5²) {@code [T, B, H]} (so every pair of steps differs and
   * no state is 0), no extras, a batch of zero inputs with one classification target scored at
   * every step and no named periods, and parameters {@code w_in [H, 2]}, {@code w_rec [H, H]}
   * (diagonal held at 0 by a {@link Constraint}), {@code b_rec [H]} and a non-trainable {@code taus
   * [H]}, all N(0, 1) (τ from 1 to 3); step 0, no accuracy yet.
   *
   * @param steps T ≥ 2
   * @param batch B ≥ 1
   * @param hidden H ≥ 1
   * @param seed draws every value
   * @return the probe
   */
  public static RegularizerProbe random(int steps, int batch, int hidden, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    INDArray h = GradientCheck.gaussian(rng, 0.5, steps, batch, hidden);
    float[] mask = new float[steps * batch];
    java.util.Arrays.fill(mask, 1f);
    Batch b =
        new Batch(
            steps,
            batch,
            1,
            new float[steps * batch],
            List.of(
                new engram.api.task.Target(
                    1,
                    engram.api.task.LossKind.CLASSIFICATION,
                    2,
                    new float[steps * batch],
                    mask)));
    INDArray wRec = GradientCheck.gaussian(rng, 1.0, hidden, hidden);
    Constraint zeroDiagonal = Constraint.zeroDiagonal(hidden, wRec);
    wRec.muli(((Constraint.Mask) zeroDiagonal).free());
    INDArray taus = GradientCheck.gaussian(rng, 1.0, hidden);
    for (long i = 0; i < hidden; i++) {
      taus.putScalar(i, 2 + Math.tanh(taus.getDouble(i)));
    }
    List<Parameter> parameters =
        List.of(
            new Parameter("w_in", GradientCheck.gaussian(rng, 1.0, hidden, 2), true),
            new Parameter("w_rec", wRec, true, zeroDiagonal),
            new Parameter("b_rec", GradientCheck.gaussian(rng, 1.0, hidden), true),
            new Parameter("taus", taus, false));
    return new RegularizerProbe(h, Map.of(), b, parameters, 0, Double.NaN);
  }

  /**
   * This probe with one more extra, N(0, 1) of width K.
   *
   * @param name the extra's name (e.g. {@code pre})
   * @param width K ≥ 1
   * @param seed draws the values
   * @return a new probe
   */
  public RegularizerProbe withExtra(String name, int width, long seed) {
    Map<String, INDArray> more = new LinkedHashMap<>(extras);
    more.put(
        name,
        GradientCheck.gaussian(
            new SplittableRandom(seed), 1.0, hidden.size(0), hidden.size(1), width));
    return new RegularizerProbe(hidden, more, batch, parameters, step, accuracy);
  }

  /**
   * This probe with another batch (one with named periods, for a term on a period).
   *
   * @param other a batch with T steps and B sequences
   * @return a new probe
   * @throws IllegalArgumentException when the batch's T or B differ from the hidden states'
   */
  public RegularizerProbe withBatch(Batch other) {
    if (other.steps() != hidden.size(0) || other.batch() != hidden.size(1)) {
      throw new IllegalArgumentException(
          "the batch is ["
              + other.steps()
              + ", "
              + other.batch()
              + "], the hidden states "
              + java.util.Arrays.toString(hidden.shape()));
    }
    return new RegularizerProbe(hidden, extras, other, parameters, step, accuracy);
  }

  /**
   * This probe with other parameters.
   *
   * @param others the parameters (float64)
   * @return a new probe
   */
  public RegularizerProbe withParameters(List<Parameter> others) {
    return new RegularizerProbe(hidden, extras, batch, others, step, accuracy);
  }

  /**
   * This probe at another training step and accuracy (for schedules).
   *
   * @param atStep training steps completed
   * @param latestAccuracy the latest accuracy, NaN for none
   * @return a new probe
   */
  public RegularizerProbe at(long atStep, double latestAccuracy) {
    return new RegularizerProbe(hidden, extras, batch, parameters, atStep, latestAccuracy);
  }

  /**
   * A deep copy in another data type (the term's float32 run).
   *
   * @param type FLOAT or DOUBLE
   * @return a new probe whose arrays are copies of this one's, cast
   */
  public RegularizerProbe castTo(DataType type) {
    Map<String, INDArray> e = new LinkedHashMap<>();
    extras.forEach((k, v) -> e.put(k, v.castTo(type).dup()));
    List<Parameter> ps = new ArrayList<>();
    for (Parameter p : parameters) {
      Constraint c =
          p.constraint() instanceof Constraint.Mask m
              ? new Constraint.Mask(m.free().castTo(type).dup())
              : p.constraint();
      ps.add(new Parameter(p.name(), p.value().castTo(type).dup(), p.trainable(), c));
    }
    return new RegularizerProbe(hidden.castTo(type).dup(), e, batch, ps, step, accuracy);
  }
}
