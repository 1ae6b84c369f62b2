package engram.core.train;

import engram.api.Network;
import engram.api.Regularizer;
import engram.api.Trajectory;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step's view of a trajectory's extras for regularizers: the extras themselves, read
 * lazily (some models copy them on first access, so a step whose regularizers never look at them
 * pays nothing), and gradient buffers for the extras the model can backpropagate from, created
 * zeroed on first request.
 */
final class ExtraGradientBuffers implements Regularizer.ExtraGradients {
  private final Network network;
  private final String modelId;
  private final Map<String, INDArray> extras;
  private final Map<String, INDArray> gradients = new LinkedHashMap<>();

  ExtraGradientBuffers(Network network, String modelId, Trajectory trajectory) {
    this.network = network;
    this.modelId = modelId;
    this.extras = new LazyExtras(trajectory);
  }

  Map<String, INDArray> extras() {
    return extras;
  }

  /** The gradients requested this step, by extra name (empty when none was). */
  Map<String, INDArray> gradients() {
    return gradients;
  }

  @Override
  public INDArray of(String extra) {
    return gradients.computeIfAbsent(
        extra,
        name -> {
          Set<String> allowed = network.differentiableExtras();
          INDArray value = extras.get(name);
          if (!allowed.contains(name) || value == null) {
            throw new IllegalArgumentException(
                "model '"
                    + modelId
                    + "' cannot backpropagate from"
                    + " an extra named '"
                    + name
                    + "'; it can from "
                    + allowed);
          }
          return value.ulike().assign(0);
        });
  }

  /** The trajectory's extras, fetched on first use. */
  private static final class LazyExtras extends AbstractMap<String, INDArray> {
    private final Trajectory trajectory;
    private Map<String, INDArray> extras;

    LazyExtras(Trajectory trajectory) {
      this.trajectory = trajectory;
    }

    @Override
    public Set<Entry<String, INDArray>> entrySet() {
      if (extras == null) {
        extras = trajectory.extras();
      }
      return extras.entrySet();
    }

    @Override
    public INDArray get(Object key) {
      if (extras == null) {
        extras = trajectory.extras();
      }
      return extras.get(key);
    }
  }
}
