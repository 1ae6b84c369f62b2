package engram.core.train;

import engram.api.curriculum.Stage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything the trainer needs to continue a run exactly where it stood: what {@link
 * TrainingObserver#resumePoint} receives and {@link Trainer#resume} takes back. A run continued
 * from it makes the same steps, draws the same numbers and writes the same metrics, trace rows and
 * checkpoints, bit for bit, as the run that never stopped.
 *
 * <p>What is not here is rebuilt from the configuration: the network's structure, masks and
 * constraints (a fresh network of the run's model, then {@link #network} assigned), the readout
 * heads (created again from the stream {@code heads-init}, which replays their initial draws, then
 * {@link #heads} assigned; the stream's replayed position is checked against {@link #streams}), the
 * full batch of a {@code full-batch-copies} run (deterministic), and the regularizers' schedules,
 * which are functions of {@link #step} and {@link #lastAccuracy} only. Curricula keep no state (the
 * {@link engram.api.Curriculum} contract): the {@link #stage} is all there is.
 *
 * @param epoch epochs begun: the last finished one at an epoch boundary, the open one inside one
 * @param step optimizer steps done
 * @param stepsInEpoch steps done of the open epoch; 0 at an epoch boundary
 * @param epochLoss sum of the open epoch's step losses so far (0 at a boundary)
 * @param epochRegularizers per regularizer id, the sum of its terms over the open epoch's steps
 * @param stage the levels and heads trained now (after the last evaluation's decision)
 * @param maxSolved the largest level solved so far, 0 for none
 * @param lastAccuracy mean accuracy of the latest evaluation, NaN before the first (read by
 *     regularizer schedules)
 * @param wallSeconds training time so far, summed over every process that trained the run (column
 *     {@code wall_seconds} continues from it)
 * @param streams the position ({@link SplitMixRandom#state()}) of every stream the trainer draws
 *     from, by name
 * @param network every tensor of the network by name, trainable or not; live arrays, to be written
 *     before the observer call returns
 * @param heads every readout head tensor by name ({@code head_<k>_w}, {@code head_<k>_b}); live
 * @param headCount readout heads created so far
 * @param optimizer the optimizer's state ({@link Optimizer#save()})
 */
public record ResumeState(
    int epoch,
    long step,
    int stepsInEpoch,
    double epochLoss,
    Map<String, Double> epochRegularizers,
    Stage stage,
    int maxSolved,
    double lastAccuracy,
    double wallSeconds,
    Map<String, Long> streams,
    Map<String, INDArray> network,
    Map<String, INDArray> heads,
    int headCount,
    List<Optimizer.SavedState> optimizer) {
  public ResumeState {
    Objects.requireNonNull(stage, "stage");
    epochRegularizers = unmodifiableCopy(epochRegularizers);
    streams = unmodifiableCopy(streams);
    network = unmodifiableCopy(network);
    heads = unmodifiableCopy(heads);
    optimizer = List.copyOf(optimizer);
    if (epoch < 0 || step < 0 || stepsInEpoch < 0 || headCount < 0) {
      throw new IllegalArgumentException(
          "resume state with negative counters: epoch "
              + epoch
              + ", step "
              + step
              + ", steps in epoch "
              + stepsInEpoch
              + ", heads "
              + headCount);
    }
  }

  /** Whether the state lies inside an epoch (some of its steps done, not yet evaluated). */
  public boolean insideEpoch() {
    return stepsInEpoch > 0;
  }

  private static <V> Map<String, V> unmodifiableCopy(Map<String, V> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map)); // keeps the order
  }
}
