package engram.models.common;

import engram.api.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameters of a gated cell in PyTorch's layout ({@code nn.GRU}, {@code nn.LSTM}): {@code w_ih
 * [G·H, I]}, {@code w_hh [G·H, H]}, {@code b_ih [G·H]}, {@code b_hh [G·H]} for G gate blocks.
 */
public record GatedWeights(INDArray wIh, INDArray wHh, INDArray bIh, INDArray bHh) {

  /**
   * PyTorch's {@code reset_parameters}: every weight U(−1/√H, 1/√H), drawn in the order w_ih, w_hh,
   * b_ih, b_hh.
   */
  public static GatedWeights pytorchInit(
      RandomGenerator rng, int gates, int hidden, int inputs, DataType type) {
    long rows = (long) gates * hidden;
    double bound = 1.0 / Math.sqrt(hidden);
    INDArray wIh = Init.uniform(rng, -bound, bound, type, rows, inputs);
    INDArray wHh = Init.uniform(rng, -bound, bound, type, rows, hidden);
    INDArray bIh = Init.uniform(rng, -bound, bound, type, rows);
    INDArray bHh = Init.uniform(rng, -bound, bound, type, rows);
    return new GatedWeights(wIh, wHh, bIh, bHh);
  }

  /** w_ih, w_hh, b_ih, b_hh (all trainable), then {@code taus} if not null. */
  public List<Parameter> parameters(INDArray taus, boolean trainTau) {
    List<Parameter> ps = new ArrayList<>();
    ps.add(new Parameter("w_ih", wIh, true));
    ps.add(new Parameter("w_hh", wHh, true));
    ps.add(new Parameter("b_ih", bIh, true));
    ps.add(new Parameter("b_hh", bHh, true));
    if (taus != null) {
      ps.add(new Parameter("taus", taus, trainTau));
    }
    return List.copyOf(ps);
  }
}
