package engram.tasks.trial;

import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.api.task.Periods;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;

/**
 * A batch of trials laid out on a {@link Timeline}, written by period and channel name instead of
 * by time index. Task files draw the layout, write inputs and targets "during" named periods and
 * finish with {@link #regression}.
 *
 * <p>Each trial draws its own period durations, so trials of one batch may differ in length. Every
 * trial starts at step 0; a shorter trial is padded to the batch's longest with steps that belong
 * to no period (period index −1), carry zero inputs and targets, and are never scored.
 *
 * <p>Not thread-safe; one instance builds one batch.
 */
public final class TrialBatch {
  private final Timeline timeline;
  private final int batch;
  private final int inputSize;
  private final int outputSize;
  private final int steps;

  /** [trial][period]: first step of the period. */
  private final int[][] start;

  /** [trial][period]: number of steps. */
  private final int[][] duration;

  private final float[] inputs;
  private final float[] targets;

  private TrialBatch(
      Timeline timeline, int batch, int inputSize, int outputSize, int[][] duration) {
    this.timeline = timeline;
    this.batch = batch;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.duration = duration;
    this.start = new int[batch][];
    int longest = 0;
    for (int b = 0; b < batch; b++) {
      start[b] = new int[duration[b].length];
      int t = 0;
      for (int p = 0; p < duration[b].length; p++) {
        start[b][p] = t;
        t += duration[b][p];
      }
      longest = Math.max(longest, t);
    }
    if (longest < 1) {
      throw new IllegalArgumentException("every trial of the batch lasted 0 steps: " + timeline);
    }
    this.steps = longest;
    this.inputs = new float[steps * batch * inputSize];
    this.targets = new float[steps * batch * outputSize];
  }

  /**
   * Draws the period durations of {@code batchSize} trials, trial by trial in period order, and
   * allocates zero inputs and targets.
   *
   * @param inputSize input channels per step, ≥ 1
   * @param outputSize target components per step, ≥ 1
   */
  public static TrialBatch draw(
      Timeline timeline, int batchSize, int inputSize, int outputSize, RandomGenerator rng) {
    if (batchSize < 1 || inputSize < 1 || outputSize < 1) {
      throw new IllegalArgumentException(
          "batch size, inputs and outputs must be ≥ 1, were "
              + batchSize
              + ", "
              + inputSize
              + ", "
              + outputSize);
    }
    List<Timeline.Period> periods = timeline.periods();
    int[][] duration = new int[batchSize][periods.size()];
    for (int b = 0; b < batchSize; b++) {
      for (int p = 0; p < periods.size(); p++) {
        duration[b][p] = periods.get(p).duration().draw(rng);
      }
    }
    return new TrialBatch(timeline, batchSize, inputSize, outputSize, duration);
  }

  /** T, the length of the longest trial. */
  public int steps() {
    return steps;
  }

  /** B, the number of trials. */
  public int batch() {
    return batch;
  }

  /** How many steps the named period lasts in trial {@code b}. */
  public int duration(int b, String period) {
    return duration[b][timeline.position(period)];
  }

  /** Input {@code channel} of trial {@code b} is {@code value} throughout the named period. */
  public void input(int b, int channel, String period, double value) {
    input(b, channel, period, () -> value);
  }

  /**
   * Input {@code channel} of trial {@code b} takes a fresh value at each step of the period, in
   * time order.
   */
  public void input(int b, int channel, String period, DoubleSupplier value) {
    write(inputs, inputSize, b, channel, period, value);
  }

  /**
   * Input {@code channel} of trial {@code b} follows {@code values}, one per step of the period.
   */
  public void input(int b, int channel, String period, float[] values) {
    write(inputs, inputSize, b, channel, period, sequence(values, b, period));
  }

  /**
   * Sets input {@code channel} of trial {@code b} at the {@code step}-th step (from 0) of the
   * period.
   */
  public void inputAtStep(int b, int channel, String period, int step, double value) {
    inputs[at(b, period, step) * inputSize + channel(channel, inputSize)] = (float) value;
  }

  /**
   * Input {@code channel} of trial {@code b} at the {@code step}-th step (from 0) of the period.
   */
  public float inputAtStep(int b, int channel, String period, int step) {
    return inputs[at(b, period, step) * inputSize + channel(channel, inputSize)];
  }

  /** Target {@code component} of trial {@code b} is {@code value} throughout the named period. */
  public void target(int b, int component, String period, double value) {
    write(targets, outputSize, b, component, period, () -> value);
  }

  /**
   * Target {@code component} of trial {@code b} follows {@code values}, one per step of the period.
   */
  public void target(int b, int component, String period, float[] values) {
    write(targets, outputSize, b, component, period, sequence(values, b, period));
  }

  /**
   * The finished batch: inputs, the periods of every step, and for each requested level (in order)
   * a regression target of width {@code outputSize} scored during the named periods only. All
   * levels get the same target values, each in its own array.
   */
  public Batch regression(int[] levels, Accuracy accuracy, String... scoredPeriods) {
    return regression(levels, accuracy, OutputActivation.IDENTITY, scoredPeriods);
  }

  /**
   * As {@link #regression(int[], Accuracy, String...)}, with the readout's output nonlinearity
   * (tanh for ±1 targets, sigmoid for 0/1 targets) declared on every target.
   */
  public Batch regression(
      int[] levels, Accuracy accuracy, OutputActivation activation, String... scoredPeriods) {
    Periods periods = periods();
    float[] mask = new float[steps * batch];
    for (String scored : scoredPeriods) {
      float[] during = periods.mask(scored);
      for (int i = 0; i < mask.length; i++) {
        mask[i] = Math.max(mask[i], during[i]);
      }
    }
    List<Target> perLevel = new ArrayList<>(levels.length);
    for (int level : levels) {
      perLevel.add(
          new Target(
              level,
              LossKind.REGRESSION,
              outputSize,
              targets.clone(),
              mask.clone(),
              accuracy,
              activation));
    }
    return new Batch(steps, batch, inputSize, inputs, perLevel, periods);
  }

  /** The period of every step and trial; −1 on padding. */
  private Periods periods() {
    byte[] index = new byte[steps * batch];
    Arrays.fill(index, (byte) -1);
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < duration[b].length; p++) {
        for (int k = 0; k < duration[b][p]; k++) {
          index[(start[b][p] + k) * batch + b] = (byte) p;
        }
      }
    }
    return new Periods(timeline.names(), index);
  }

  private void write(
      float[] array, int width, int b, int component, String period, DoubleSupplier value) {
    int p = timeline.position(period);
    channel(component, width);
    for (int k = 0; k < duration[b][p]; k++) {
      array[((start[b][p] + k) * batch + b) * width + component] = (float) value.getAsDouble();
    }
  }

  private DoubleSupplier sequence(float[] values, int b, String period) {
    if (values.length != duration(b, period)) {
      throw new IllegalArgumentException(
          values.length
              + " values for the "
              + duration(b, period)
              + " steps of period '"
              + period
              + "' of trial "
              + b);
    }
    int[] next = {0};
    return () -> values[next[0]++];
  }

  /** Row (t * batch + b) of the {@code step}-th step of the period in trial {@code b}. */
  private int at(int b, String period, int step) {
    int p = timeline.position(period);
    if (step < 0 || step >= duration[b][p]) {
      throw new IndexOutOfBoundsException(
          "step "
              + step
              + " of period '"
              + period
              + "', which lasts "
              + duration[b][p]
              + " steps in trial "
              + b);
    }
    return (start[b][p] + step) * batch + b;
  }

  private static int channel(int channel, int width) {
    if (channel < 0 || channel >= width) {
      throw new IndexOutOfBoundsException("channel " + channel + " of " + width);
    }
    return channel;
  }
}
