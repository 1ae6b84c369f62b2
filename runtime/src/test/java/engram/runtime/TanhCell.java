package engram.runtime;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A small cell for the runtime's tests, with every optional ability: two state blocks (s = [h | c],
 * S = 2H), a drive, a differentiable extra and a masked diagonal.
 *
 * <pre>
 *   pre = h·Wᵀ + x·Uᵀ + b + ξ        (W's diagonal held at 0)
 *   c'  = a⊙c + tanh(pre)
 *   h'  = tanh(c')
 * </pre>
 */
final class TanhCell implements Cell, Cell.AcceptsDrive, Cell.DifferentiableExtras {
  final int hidden;
  final INDArray w;
  final INDArray u;
  final INDArray b;
  final INDArray a;
  private final List<Parameter> parameters;

  TanhCell(int hidden, int inputs, long seed) {
    this.hidden = hidden;
    SplittableRandom rng = new SplittableRandom(seed);
    w = random(rng, 0.8, hidden, hidden);
    for (int i = 0; i < hidden; i++) {
      w.putScalar(i, i, 0.0);
    }
    u = random(rng, 1.0, hidden, inputs);
    b = random(rng, 0.3, hidden);
    a = random(rng, 0.5, hidden);
    parameters =
        List.of(
            new Parameter("w", w, true, Constraint.zeroDiagonal(hidden, w)),
            new Parameter("u", u, true),
            new Parameter("b", b, true),
            new Parameter("a", a, true));
  }

  static INDArray random(SplittableRandom rng, double scale, long... shape) {
    INDArray out = Nd4j.create(DataType.DOUBLE, shape);
    INDArray flat = out.reshape(out.length());
    for (long i = 0; i < out.length(); i++) {
      flat.putScalar(i, scale * (2 * rng.nextDouble() - 1));
    }
    return out;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public int stateSize() {
    return 2 * hidden;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    INDArray s = Nd4j.create(DataType.DOUBLE, batch, 2 * hidden);
    for (int i = 0; i < s.length(); i++) {
      s.reshape(s.length()).putScalar(i, 0.2 * rng.nextDouble());
    }
    return s;
  }

  @Override
  public Map<String, Integer> extras() {
    return Map.of("pre", hidden);
  }

  @Override
  public Set<String> differentiableExtras() {
    return Set.of("pre");
  }

  @Override
  public Step step(INDArray s, INDArray x, INDArray drive) {
    INDArray h = s.getColumns(range(0));
    INDArray c = s.getColumns(range(hidden));
    INDArray pre = h.mmul(w.transpose()).addi(x.mmul(u.transpose())).addiRowVector(b);
    if (drive != null) {
      pre.addi(drive);
    }
    INDArray g = Transforms.tanh(pre, true);
    INDArray cNext = c.mulRowVector(a).addi(g);
    INDArray hNext = Transforms.tanh(cNext, true);
    return new Step(s, x, drive, Nd4j.hstack(hNext, cNext), Map.of("pre", pre), Map.of("g", g));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gp) {
    INDArray hNext = step.next().getColumns(range(0));
    INDArray c = step.previous().getColumns(range(hidden));
    INDArray h = step.previous().getColumns(range(0));
    INDArray g = step.saved().get("g");
    // dL/dc' = dL/dc' (direct) + dL/dh'·(1 − h'²)
    INDArray dc =
        gNext
            .getColumns(range(hidden))
            .add(gNext.getColumns(range(0)).mul(hNext.mul(hNext).rsubi(1.0)));
    INDArray dPre = dc.mul(g.mul(g).rsubi(1.0));
    if (gExtras.containsKey("pre")) {
      dPre.addi(gExtras.get("pre"));
    }
    gp.get("a").addi(dc.mul(c).sum(0));
    gp.get("w").addi(dPre.transpose().mmul(h));
    gp.get("u").addi(dPre.transpose().mmul(step.input()));
    gp.get("b").addi(dPre.sum(0));
    INDArray dh = dPre.mmul(w);
    INDArray dcPrev = dc.mulRowVector(a);
    return new StepGradients(Nd4j.hstack(dh, dcPrev), dPre.mmul(u));
  }

  private int[] range(int from) {
    int[] cols = new int[hidden];
    for (int i = 0; i < hidden; i++) {
      cols[i] = from + i;
    }
    return cols;
  }
}
