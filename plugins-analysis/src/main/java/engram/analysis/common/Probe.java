package engram.analysis.common;

import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Periods;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The delay states of a probe batch and the remembered condition of each trial, shared by the
 * geometry analyses.
 *
 * <p><b>Remembered variable</b>: for a task with a finite condition set, see {@link #ofConditions}.
 * Otherwise ({@link #of}) the task API exposes periods and targets but no named conditions, so the
 * condition of a trial is read off its first target at the trial's last scored step: the class for
 * a classification target, the sign pattern of the components for regression (value &gt; 0) and
 * multi-label (bit set). For evidence accumulation this is the side of the evidence; for delayed
 * addition the sign of a1 + a2 (not a1 alone); for a task whose target changes within the trial
 * (flip-flop) only the final memory. Conditions are numbered by increasing key.
 *
 * <p><b>Delay period</b>: the steps whose period name starts with the given prefix ({@code delay}:
 * delay, delay1, delay2); when the task declares no such period or it has no step in the batch, the
 * steps before the trial's first scored step; when there are none, every step. {@link
 * #description()} says which rule applied.
 *
 * @param rows indices t·B + b of the delay states, step-major
 * @param condition condition of each delay state, in {@code [0, conditions)}
 * @param trial trial b of each delay state
 * @param step step t of each delay state
 * @param conditions number of conditions, ≥ 2
 * @param description the rules that applied and the trials per condition, for a text file
 */
public record Probe(
    int[] rows, int[] condition, int[] trial, int[] step, int conditions, String description) {

  /**
   * The delay states of a batch and their conditions.
   *
   * @param batch the probe batch; its first target defines the conditions
   * @param delayPrefix the prefix of the names of the delay periods
   * @param analyzerId prefixes error messages
   * @return the probe
   * @throws IllegalStateException when the trials have fewer than two conditions
   */
  public static Probe of(Batch batch, String delayPrefix, String analyzerId) {
    int steps = batch.steps();
    int trials = batch.batch();
    Target target = batch.targets().get(0);
    Map<Long, Integer> keys = new TreeMap<>();
    long[] key = new long[trials];
    int[] firstScored = new int[trials];
    for (int b = 0; b < trials; b++) {
      int lastScored = steps - 1;
      firstScored[b] = -1;
      for (int t = 0; t < steps; t++) {
        if (target.scored(t, b, trials)) {
          lastScored = t;
          if (firstScored[b] < 0) {
            firstScored[b] = t;
          }
        }
      }
      key[b] = conditionKey(target, lastScored, b, trials);
      keys.put(key[b], 0);
    }
    int index = 0;
    for (Map.Entry<Long, Integer> e : keys.entrySet()) {
      e.setValue(index++);
    }
    if (keys.size() < 2) {
      throw new IllegalStateException(
          analyzerId
              + ": every trial of the probe batch ends with the same target, so there is no"
              + " remembered variable to separate; use more trials (trials: 64)");
    }
    List<int[]> picked = new ArrayList<>();
    String rule = delaySteps(batch, delayPrefix, firstScored, picked);
    int n = picked.size();
    int[] rows = new int[n];
    int[] condition = new int[n];
    int[] trial = new int[n];
    int[] step = new int[n];
    for (int i = 0; i < n; i++) {
      int t = picked.get(i)[0];
      int b = picked.get(i)[1];
      rows[i] = t * trials + b;
      condition[i] = keys.get(key[b]);
      trial[i] = b;
      step[i] = t;
    }
    int[] perCondition = new int[keys.size()];
    for (int b = 0; b < trials; b++) {
      perCondition[keys.get(key[b])]++;
    }
    StringBuilder text = new StringBuilder();
    text.append("remembered variable: the first target at each trial's last scored step (")
        .append(target.kind())
        .append(", ")
        .append(
            target.kind() == LossKind.CLASSIFICATION
                ? "the class"
                : "the sign pattern of its components")
        .append("); the task names no conditions\n");
    text.append("conditions (key → trials): ");
    int c = 0;
    for (Long k : keys.keySet()) {
      text.append(c == 0 ? "" : ", ").append(k).append(" → ").append(perCondition[c]);
      c++;
    }
    text.append('\n').append(rule).append(" (").append(n).append(" states)\n");
    return new Probe(rows, condition, trial, step, keys.size(), text.toString());
  }

  /**
   * The delay steps (t, b) of a batch, by the rules in the class javadoc, appended to {@code
   * picked} step-major.
   *
   * @return the rule that applied, for the description
   */
  private static String delaySteps(
      Batch batch, String delayPrefix, int[] firstScored, List<int[]> picked) {
    int steps = batch.steps();
    int trials = batch.batch();
    Periods periods = batch.periods();
    List<Integer> delayNames = new ArrayList<>();
    for (int i = 0; i < periods.names().size(); i++) {
      if (periods.names().get(i).startsWith(delayPrefix)) {
        delayNames.add(i);
      }
    }
    String rule = "";
    if (!delayNames.isEmpty()) {
      rule = "delay steps: periods " + delayNames.stream().map(periods.names()::get).toList();
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < trials; b++) {
          if (delayNames.contains((int) periods.index()[t * trials + b])) {
            picked.add(new int[] {t, b});
          }
        }
      }
    }
    if (picked.isEmpty()) {
      rule =
          "delay steps: the task "
              + (delayNames.isEmpty() ? "declares no period" : "has no step in the periods")
              + " named '"
              + delayPrefix
              + "*'; ";
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < trials; b++) {
          if (t < firstScored[b]) {
            picked.add(new int[] {t, b});
          }
        }
      }
      if (picked.isEmpty()) {
        rule += "every step is scored, so every step is used";
        for (int t = 0; t < steps; t++) {
          for (int b = 0; b < trials; b++) {
            picked.add(new int[] {t, b});
          }
        }
      } else {
        rule += "the steps before each trial's first scored step";
      }
    }
    return rule;
  }

  /** The first scored step of every trial of the first target (−1: none). */
  private static int[] firstScored(Batch batch) {
    Target target = batch.targets().get(0);
    int[] first = new int[batch.batch()];
    for (int b = 0; b < batch.batch(); b++) {
      first[b] = -1;
      for (int t = 0; t < batch.steps() && first[b] < 0; t++) {
        if (target.scored(t, b, batch.batch())) {
          first[b] = t;
        }
      }
    }
    return first;
  }

  /**
   * The delay states of a batch of a task's whole condition set ({@link
   * engram.api.task.FiniteConditions}: sequence b holds condition b % K), with the remembered
   * variable stated by the task's inputs: two conditions are one class when their inputs agree at
   * every step up to the last delay step, since no network can tell them apart there (delayed
   * match-to-sample: the sample sign, two classes of two conditions; delayed cue: the cue). When
   * the inputs of all conditions agree up to then, the classes are the task's conditions.
   *
   * @param batch the whole condition set, {@code copies} times, K·copies sequences
   * @param conditionCount K ≥ 2
   * @param delayPrefix the prefix of the names of the delay periods
   * @param analyzerId prefixes error messages
   * @return the probe; {@link #condition()} holds the class of the remembered variable
   * @throws IllegalStateException when K &lt; 2 or the batch is not a whole number of copies
   */
  public static Probe ofConditions(
      Batch batch, int conditionCount, String delayPrefix, String analyzerId) {
    int trials = batch.batch();
    if (conditionCount < 2 || trials % conditionCount != 0) {
      throw new IllegalStateException(
          analyzerId
              + ": a condition set needs K ≥ 2 conditions and a whole number of copies; got K = "
              + conditionCount
              + " and "
              + trials
              + " sequences");
    }
    List<int[]> picked = new ArrayList<>();
    String rule = delaySteps(batch, delayPrefix, firstScored(batch), picked);
    int[] lastDelay = new int[conditionCount];
    java.util.Arrays.fill(lastDelay, -1);
    for (int[] p : picked) {
      int k = p[1] % conditionCount;
      lastDelay[k] = Math.max(lastDelay[k], p[0]);
    }
    int width = batch.inputSize();
    float[] inputs = batch.inputs();
    Map<String, Integer> classOf = new java.util.LinkedHashMap<>();
    int[] remembered = new int[conditionCount];
    for (int k = 0; k < conditionCount; k++) {
      StringBuilder key = new StringBuilder();
      for (int t = 0; t <= lastDelay[k]; t++) {
        for (int i = 0; i < width; i++) {
          key.append(inputs[(t * trials + k) * width + i]).append(',');
        }
      }
      remembered[k] = classOf.computeIfAbsent(key.toString(), x -> classOf.size());
    }
    int classes = classOf.size();
    String variable;
    if (classes < 2) {
      for (int k = 0; k < conditionCount; k++) {
        remembered[k] = k;
      }
      classes = conditionCount;
      variable =
          "remembered variable: the task's condition (the inputs of all conditions agree up to"
              + " the delay's end)";
    } else {
      StringBuilder text =
          new StringBuilder(
              "remembered variable: conditions whose inputs agree up to the delay's last step are"
                  + " one class; classes:");
      for (int c = 0; c < classes; c++) {
        text.append(c == 0 ? " " : "; ").append(c).append(" = conditions");
        for (int k = 0; k < conditionCount; k++) {
          if (remembered[k] == c) {
            text.append(' ').append(k);
          }
        }
      }
      variable = text.toString();
    }
    int n = picked.size();
    int[] rows = new int[n];
    int[] condition = new int[n];
    int[] trial = new int[n];
    int[] step = new int[n];
    for (int i = 0; i < n; i++) {
      int t = picked.get(i)[0];
      int b = picked.get(i)[1];
      rows[i] = t * trials + b;
      condition[i] = remembered[b % conditionCount];
      trial[i] = b;
      step[i] = t;
    }
    String text =
        "conditions: the task's "
            + conditionCount
            + " conditions (FiniteConditions), "
            + trials / conditionCount
            + " copies; sequence b holds condition b % "
            + conditionCount
            + "\n"
            + variable
            + "\n"
            + rule
            + " ("
            + n
            + " states)\n";
    return new Probe(rows, condition, trial, step, classes, text);
  }

  /** Class, or the sign bits of the components, of the target at (t, b). */
  private static long conditionKey(Target target, int t, int b, int batch) {
    if (target.kind() == LossKind.CLASSIFICATION) {
      return target.label(t, b, batch);
    }
    long bits = 0;
    int entry = t * batch + b;
    for (int c = 0; c < Math.min(target.width(), 62); c++) {
      float v = target.values()[entry * target.width() + c];
      boolean set = target.kind() == LossKind.MULTI_LABEL ? v >= 0.5f : v > 0f;
      bits |= set ? 1L << c : 0L;
    }
    return bits;
  }

  /**
   * The condition of every trial that has a delay state.
   *
   * @param trials B, the batch size
   * @return condition per trial, −1 for a trial without delay states
   */
  public int[] conditionOfTrial(int trials) {
    int[] out = new int[trials];
    java.util.Arrays.fill(out, -1);
    for (int i = 0; i < trial.length; i++) {
      out[trial[i]] = condition[i];
    }
    return out;
  }
}
