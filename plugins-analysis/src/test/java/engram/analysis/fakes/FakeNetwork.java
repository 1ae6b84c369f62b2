package engram.analysis.fakes;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network that only holds parameters: {@code w_in [H, 1]}, {@code w_rec [H, H]} and, when the
 * checkpoint has them, {@code taus [H]}. It cannot run; {@link FakeRestored} scores it from its
 * parameters. Ablation zeroes the unit's input row and its recurrent row and column, as {@link
 * Network#ablate} documents.
 */
public final class FakeNetwork implements Network {
  private final List<Parameter> parameters;
  private final int hidden;

  FakeNetwork(Map<String, INDArray> tensors) {
    List<Parameter> ps = new ArrayList<>();
    for (String name : List.of("w_in", "w_rec", "taus")) {
      if (tensors.containsKey(name)) {
        ps.add(new Parameter(name, tensors.get(name).dup(), true));
      }
    }
    parameters = List.copyOf(ps);
    hidden = (int) tensors.get("w_rec").rows();
  }

  public INDArray get(String name) {
    return parameters.stream().filter(p -> p.name().equals(name)).findFirst()
        .map(Parameter::value).orElse(null);
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Nd4j.zeros(get("w_rec").dataType(), batch, hidden);
  }

  @Override
  public int stateSize() {
    return hidden;
  }

  @Override
  public Cell cell() {
    throw new UnsupportedOperationException("fake network");
  }

  @Override
  public void constrain() {}

  @Override
  public Trajectory forward(INDArray inputs, INDArray h0, INDArray drive) {
    throw new UnsupportedOperationException("fake network");
  }

  @Override
  public Set<String> differentiableExtras() {
    return Set.of();
  }

  @Override
  public void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    throw new UnsupportedOperationException("fake network");
  }

  @Override
  public INDArray jacobian(INDArray state, INDArray input) {
    throw new UnsupportedOperationException("fake network");
  }

  @Override
  public void ablate(int unit) {
    if (unit < 0 || unit >= hidden) {
      throw new IndexOutOfBoundsException(unit);
    }
    INDArray wRec = get("w_rec");
    wRec.get(NDArrayIndex.point(unit), NDArrayIndex.all()).assign(0);
    wRec.get(NDArrayIndex.all(), NDArrayIndex.point(unit)).assign(0);
    get("w_in").get(NDArrayIndex.point(unit), NDArrayIndex.all()).assign(0);
  }
}
