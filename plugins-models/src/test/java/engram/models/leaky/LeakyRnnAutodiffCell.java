package engram.models.leaky;

import engram.api.Cell;
import engram.api.Parameter;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.autodiff.AutodiffCell;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The leaky RNN's step written once, forward only, as a SameDiff graph, the way a plugin author
 * would with {@link AutodiffCell}; its VJP is SameDiff's. It shares the parameter arrays of a
 * {@link LeakyRnnCell} (the same live arrays), so both compute the same function and can be
 * compared step by step and timed against each other ({@link AutodiffTiming}).
 */
final class LeakyRnnAutodiffCell extends AutodiffCell
    implements Cell.AcceptsDrive, Cell.DifferentiableExtras {
  private final LeakyRnnCell cell;
  private final Config config;

  LeakyRnnAutodiffCell(LeakyRnnCell cell) {
    this.cell = cell;
    this.config = cell.config();
  }

  @Override
  public int hiddenSize() {
    return cell.hiddenSize();
  }

  @Override
  public List<Parameter> parameters() {
    return cell.parameters();
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return cell.initialState(batch, rng);
  }

  @Override
  public Map<String, Integer> extras() {
    return cell.extras();
  }

  @Override
  public Set<String> differentiableExtras() {
    return cell.differentiableExtras();
  }

  @Override
  protected Outputs forward(
      SameDiff sd, SDVariable h, SDVariable x, SDVariable drive, Map<String, SDVariable> p) {
    // α = 1/max(τ, 1) (at τ = 1 exactly, SameDiff's maximum may route the gradient differently
    // from the hand-written clamp, which passes it; the tests keep τ away from 1)
    SDVariable one = sd.constant(Nd4j.scalar(h.dataType(), 1.0));
    SDVariable alpha = sd.math().max(p.get("taus"), one).rdiv(1.0);
    SDVariable u =
        sd.mmul(h, p.get("w_rec"), false, true, false)
            .add(p.get("b_rec"))
            .add(sd.mmul(x, p.get("w_in"), false, true, false))
            .add(p.get("b_in"));
    if (drive != null) {
      u = u.add(drive);
    }
    SDVariable keep = alpha.rsub(1.0);
    if (config.phi() == Phi.OUTSIDE) {
      SDVariable z = h.mul(keep).add(u.mul(alpha));
      return new Outputs(phi(sd, z), Map.of(LeakyRnnCell.PRE, z));
    }
    SDVariable next = h.mul(keep).add(phi(sd, u).mul(alpha));
    return new Outputs(next, Map.of(LeakyRnnCell.PRE, u));
  }

  private SDVariable phi(SameDiff sd, SDVariable z) {
    return switch (config.nonlinearity()) {
      case TANH -> sd.math().tanh(z);
      case RELU -> sd.nn().relu(z, 0.0);
      case LEAKY_RELU -> sd.nn().leakyRelu(z, config.leakySlope());
    };
  }
}
