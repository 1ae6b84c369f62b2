package engram.core.train;

import engram.api.Network;
import engram.api.Parameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Taking a {@link ResumeState} from a training loop, and putting one back: {@link Trainer}'s. */
final class ResumeStates {
  /** The stream the readout heads are initialised from. */
  static final String HEADS_INIT = "heads-init";

  private ResumeStates() {}

  /**
   * The state of a run at {@code p}, with the network's and heads' live tensors and a copy of the
   * optimizer's state.
   */
  static ResumeState capture(
      Progress p,
      Network network,
      ReadoutHeads heads,
      SplitMixRandom headsRng,
      TrainingStreams rng,
      Optimizer optimizer,
      double lastAccuracy,
      double wallSeconds) {
    Map<String, INDArray> networkTensors = new LinkedHashMap<>();
    network.parameters().forEach(t -> networkTensors.put(t.name(), t.value()));
    Map<String, INDArray> headTensors = new LinkedHashMap<>();
    heads.all().forEach(t -> headTensors.put(t.name(), t.value()));
    Map<String, Long> positions = new LinkedHashMap<>(rng.states());
    positions.put(HEADS_INIT, headsRng.state());
    return new ResumeState(
        p.epoch,
        p.step,
        p.stepsInEpoch,
        p.lossSum,
        p.regularizerSums,
        p.stage,
        p.maxSolved,
        lastAccuracy,
        wallSeconds,
        positions,
        networkTensors,
        headTensors,
        heads.count(),
        optimizer.save());
  }

  /**
   * Checks that {@code network} (already given the saved values) lacks none of {@code saved}'s
   * tensors, and restores the heads: creates as many as were saved, from the fresh {@code headsRng}
   * (which replays their initial draws, leaving the stream where the saved run's stood; checked),
   * then assigns their saved values.
   *
   * @throws IllegalStateException when a tensor is missing or of another shape, or the stream ends
   *     elsewhere than saved (the checkpoint belongs to another configuration)
   */
  static void restore(
      ResumeState saved, Network network, ReadoutHeads heads, SplitMixRandom headsRng) {
    for (Parameter p : network.parameters()) {
      if (!saved.network().containsKey(p.name())) {
        throw new IllegalStateException(
            "the resume checkpoint has no tensor '" + p.name() + "' of the network");
      }
    }
    if (saved.headCount() > 0) {
      heads.ensure(saved.headCount() - 1);
    }
    for (Parameter p : heads.all()) {
      INDArray value = saved.heads().get(p.name());
      if (value == null || !Arrays.equals(value.shape(), p.value().shape())) {
        throw new IllegalStateException(
            "the resume checkpoint's readout head tensor '"
                + p.name()
                + "' is "
                + (value == null ? "missing" : "of shape " + Arrays.toString(value.shape())));
      }
      p.value().assign(value);
    }
    Long headsAt = saved.streams().get(HEADS_INIT);
    if (headsAt == null || headsAt != headsRng.state()) {
      throw new IllegalStateException(
          "the resume checkpoint's stream '"
              + HEADS_INIT
              + "' stands at "
              + headsAt
              + ", but creating its "
              + saved.headCount()
              + " heads leaves it at "
              + headsRng.state()
              + ": the checkpoint belongs to another configuration");
    }
  }
}
