package engram.core.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The random streams a training loop draws from after initialisation: {@code train-data} (the
 * task's training batches), {@code train-h0} (initial states of training batches), {@code
 * train-noise} (regularizers' perturbations), {@code eval-data} and {@code eval-h0} (evaluation
 * batches and their initial states). Fresh from the run seed, or at positions saved in a {@link
 * ResumeState}.
 */
final class TrainingStreams {
  static final String TRAIN_DATA = "train-data";
  static final String TRAIN_H0 = "train-h0";
  static final String TRAIN_NOISE = "train-noise";
  static final String EVAL_DATA = "eval-data";
  static final String EVAL_H0 = "eval-h0";

  /** Names of the streams held here. */
  static final Set<String> NAMES = Set.of(TRAIN_DATA, TRAIN_H0, TRAIN_NOISE, EVAL_DATA, EVAL_H0);

  final SplitMixRandom trainData;
  final SplitMixRandom trainH0;
  final SplitMixRandom trainNoise;
  final SplitMixRandom evalData;
  final SplitMixRandom evalH0;

  private TrainingStreams(
      SplitMixRandom trainData,
      SplitMixRandom trainH0,
      SplitMixRandom trainNoise,
      SplitMixRandom evalData,
      SplitMixRandom evalH0) {
    this.trainData = trainData;
    this.trainH0 = trainH0;
    this.trainNoise = trainNoise;
    this.evalData = evalData;
    this.evalH0 = evalH0;
  }

  /** Every stream at its start, from the run seed. */
  static TrainingStreams fresh(RandomStreams streams) {
    return new TrainingStreams(
        streams.stream(TRAIN_DATA),
        streams.stream(TRAIN_H0),
        streams.stream(TRAIN_NOISE),
        streams.stream(EVAL_DATA),
        streams.stream(EVAL_H0));
  }

  /**
   * Every stream at the position saved in {@code states}.
   *
   * @throws IllegalStateException naming a stream that {@code states} lacks
   */
  static TrainingStreams at(Map<String, Long> states) {
    return new TrainingStreams(
        at(states, TRAIN_DATA),
        at(states, TRAIN_H0),
        at(states, TRAIN_NOISE),
        at(states, EVAL_DATA),
        at(states, EVAL_H0));
  }

  private static SplitMixRandom at(Map<String, Long> states, String name) {
    Long state = states.get(name);
    if (state == null) {
      throw new IllegalStateException(
          "the resume checkpoint has no position for the random stream '" + name + "'");
    }
    return SplitMixRandom.at(state);
  }

  /** The position of every stream, by name. */
  Map<String, Long> states() {
    Map<String, Long> states = new LinkedHashMap<>();
    states.put(TRAIN_DATA, trainData.state());
    states.put(TRAIN_H0, trainH0.state());
    states.put(TRAIN_NOISE, trainNoise.state());
    states.put(EVAL_DATA, evalData.state());
    states.put(EVAL_H0, evalH0.state());
    return states;
  }
}
