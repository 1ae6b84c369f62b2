package engram.core.train;

import engram.api.curriculum.Stage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training run stands: epoch and step counters, the open epoch's sums, the stage and the
 * largest level solved. Mutable, owned by one {@link Trainer} loop; {@link ResumeState} is its
 * saved form.
 */
final class Progress {
  /** Epochs begun (the open one included). */
  int epoch;

  /** Optimizer steps done. */
  long step;

  /** Steps done of the open epoch. */
  int stepsInEpoch;

  /** Whether an epoch is open (begun, not yet evaluated). */
  boolean open;

  /** Sum of the open epoch's step losses. */
  double lossSum;

  /** Per regularizer id, the sum of its terms over the open epoch's steps. */
  final Map<String, Double> regularizerSums = new LinkedHashMap<>();

  Stage stage;
  int maxSolved;

  private Progress(Stage stage) {
    this.stage = stage;
  }

  /** A run before its first step. */
  static Progress start(Stage stage) {
    return new Progress(stage);
  }

  /** A run where {@code saved} left it. */
  static Progress of(ResumeState saved) {
    Progress p = new Progress(saved.stage());
    p.epoch = saved.epoch();
    p.step = saved.step();
    p.stepsInEpoch = saved.stepsInEpoch();
    p.open = saved.insideEpoch();
    p.lossSum = saved.epochLoss();
    p.regularizerSums.putAll(saved.epochRegularizers());
    p.maxSolved = saved.maxSolved();
    return p;
  }

  void beginEpoch() {
    epoch++;
    open = true;
    clearEpoch();
  }

  /** The open epoch had no step (a stop came first): it never happened. */
  void abandonEpoch() {
    epoch--;
    open = false;
  }

  /** The open epoch was evaluated. */
  void endEpoch() {
    open = false;
    clearEpoch();
  }

  private void clearEpoch() {
    stepsInEpoch = 0;
    lossSum = 0;
    regularizerSums.clear();
  }
}
