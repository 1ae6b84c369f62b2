package engram.runtime.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link AutodiffCell} against a hand-written cell of the same equations (a tanh RNN with a drive,
 * a differentiable pre-activation and a fixed gain), in float64: step, VJP, batch sizes, parameter
 * updates, a whole sequence through the runtime, and the errors an author can make.
 */
class AutodiffCellTest {
  private static final int H = 5;
  private static final int I = 3;
  private static final double TOL = 1e-12;

  /** h' = tanh(u), u = h·Wᵀ + x·W_inᵀ + b + ξ, extra pre = u; {@code gain} scales b, fixed. */
  abstract static class Rnn implements Cell, Cell.AcceptsDrive, Cell.DifferentiableExtras {
    final List<Parameter> parameters = new ArrayList<>();

    Rnn(long seed) {
      Nd4j.getRandom().setSeed(seed);
      parameters.add(new Parameter("w_rec", Nd4j.randn(DataType.DOUBLE, H, H).divi(2), true));
      parameters.add(new Parameter("w_in", Nd4j.randn(DataType.DOUBLE, H, I), true));
      parameters.add(new Parameter("b", Nd4j.randn(DataType.DOUBLE, H), true));
      parameters.add(new Parameter("gain", Nd4j.ones(DataType.DOUBLE, H).muli(1.5), false));
    }

    INDArray value(String name) {
      return parameters.stream()
          .filter(p -> p.name().equals(name))
          .findFirst()
          .orElseThrow()
          .value();
    }

    @Override
    public int hiddenSize() {
      return H;
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    @Override
    public INDArray initialState(int batch, RandomGenerator rng) {
      return Nd4j.zeros(DataType.DOUBLE, batch, H);
    }

    @Override
    public Map<String, Integer> extras() {
      return Map.of("pre", H);
    }

    @Override
    public Set<String> differentiableExtras() {
      return Set.of("pre");
    }
  }

  /** The VJP written by hand. */
  static final class HandRnn extends Rnn {
    HandRnn(long seed) {
      super(seed);
    }

    @Override
    public Step step(INDArray h, INDArray x, INDArray drive) {
      INDArray u =
          h.mmul(value("w_rec").transpose())
              .addi(x.mmul(value("w_in").transpose()))
              .addiRowVector(value("b").mul(value("gain")));
      if (drive != null) {
        u.addi(drive);
      }
      return new Step(h, x, drive, Transforms.tanh(u, true), Map.of("pre", u), Map.of());
    }

    @Override
    public StepGradients vjp(
        Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> g) {
      INDArray a = step.next().mul(step.next()).rsubi(1.0).muli(gNext);
      if (gExtras.containsKey("pre")) {
        a.addi(gExtras.get("pre"));
      }
      g.get("w_rec").addi(a.transpose().mmul(step.previous()));
      g.get("w_in").addi(a.transpose().mmul(step.input()));
      g.get("b").addi(a.sum(0).muli(value("gain")));
      return new StepGradients(a.mmul(value("w_rec")), a.mmul(value("w_in")));
    }
  }

  /** The same cell, forward only; it shares the arrays of {@code twin}. */
  static class AutoRnn extends AutodiffCell
      implements Cell.AcceptsDrive, Cell.DifferentiableExtras {
    final Rnn twin;
    int builds;

    AutoRnn(Rnn twin) {
      this.twin = twin;
    }

    @Override
    protected Outputs forward(
        SameDiff sd, SDVariable h, SDVariable x, SDVariable drive, Map<String, SDVariable> p) {
      builds++;
      SDVariable u =
          sd.mmul(h, p.get("w_rec"), false, true, false)
              .add(sd.mmul(x, p.get("w_in"), false, true, false))
              .add(p.get("b").mul(p.get("gain")));
      if (drive != null) {
        u = u.add(drive);
      }
      return new Outputs(sd.math().tanh(u), Map.of("pre", u));
    }

    @Override
    public int hiddenSize() {
      return H;
    }

    @Override
    public List<Parameter> parameters() {
      return twin.parameters();
    }

    @Override
    public INDArray initialState(int batch, RandomGenerator rng) {
      return twin.initialState(batch, rng);
    }

    @Override
    public Map<String, Integer> extras() {
      return twin.extras();
    }

    @Override
    public Set<String> differentiableExtras() {
      return twin.differentiableExtras();
    }
  }

  @Test
  void stepAndVjpMatchTheHandWrittenCell() {
    HandRnn hand = new HandRnn(1);
    AutoRnn auto = new AutoRnn(hand);
    for (boolean withDrive : new boolean[] {false, true}) {
      for (boolean withPre : new boolean[] {false, true}) {
        compare(hand, auto, 4, withDrive, withPre, 10 + (withDrive ? 1 : 0) + (withPre ? 2 : 0));
      }
    }
    assertEquals(4, auto.builds, "one graph per variant (drive or not, dL/dpre or not)");
  }

  @Test
  void batchSizeMayChangeBetweenCalls() {
    HandRnn hand = new HandRnn(2);
    AutoRnn auto = new AutoRnn(hand);
    for (int batch : new int[] {3, 1, 8, 3}) {
      compare(hand, auto, batch, true, false, batch);
    }
    assertEquals(1, auto.builds);
  }

  @Test
  void inPlaceParameterUpdatesAreSeen() {
    HandRnn hand = new HandRnn(3);
    AutoRnn auto = new AutoRnn(hand);
    compare(hand, auto, 4, false, false, 1);
    hand.value("w_rec").subi(0.3); // as an optimizer does
    hand.value("gain").assign(0.5); // a fixed parameter changed by hand
    compare(hand, auto, 4, false, false, 2);
  }

  @Test
  void aReplacedParameterArrayIsRebound() {
    HandRnn hand = new HandRnn(4);
    AutoRnn auto = new AutoRnn(hand);
    compare(hand, auto, 4, false, false, 1);
    Parameter old = hand.parameters.get(0);
    hand.parameters.set(0, new Parameter(old.name(), old.value().mul(-1.0), true));
    compare(hand, auto, 4, false, false, 2);
  }

  @Test
  void fixedParametersGetNoGradient() {
    AutoRnn auto = new AutoRnn(new HandRnn(5));
    Map<String, INDArray> g = gradientArrays(auto);
    INDArray h = rand(2, H);
    auto.vjp(auto.step(h, rand(2, I), null), rand(2, H), Map.of(), g);
    assertEquals(0.0, g.get("gain").norm2Number().doubleValue());
    assertTrue(g.get("w_rec").norm2Number().doubleValue() > 0);
  }

  @Test
  void aWholeSequenceThroughTheRuntimeMatches() {
    HandRnn hand = new HandRnn(6);
    AutoRnn auto = new AutoRnn(hand);
    NetworkSpec spec = new NetworkSpec(I, DataType.DOUBLE);
    CellNetwork a = Networks.wrap("hand", hand, null, spec);
    CellNetwork b = Networks.wrap("auto", auto, null, spec);
    INDArray x = rand(7, 3, I);
    INDArray s0 = rand(3, H);
    INDArray noise = rand(7, 3, H).muli(0.1);
    INDArray dLdh = rand(7, 3, H);
    INDArray dLdPre = rand(7, 3, H);
    Trajectory ta = a.forward(x, s0, noise);
    Trajectory tb = b.forward(x, s0, noise);
    close("hidden", ta.hidden(), tb.hidden());
    close("pre", ta.extras().get("pre"), tb.extras().get("pre"));
    Map<String, INDArray> ga = gradientArrays(hand);
    Map<String, INDArray> gb = gradientArrays(hand);
    a.backward(ta, dLdh, Map.of("pre", dLdPre), ga);
    b.backward(tb, dLdh, Map.of("pre", dLdPre), gb);
    for (String name : List.of("w_rec", "w_in", "b")) {
      close(name, ga.get(name), gb.get(name));
    }
    INDArray x0 = x.get(point(0), point(0), all());
    close("jacobian", a.jacobian(s0.getRow(0), x0), b.jacobian(s0.getRow(0), x0));
  }

  @Test
  void buildingTheGradientPrintsNothing() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      AutoRnn auto = new AutoRnn(new HandRnn(7));
      auto.vjp(auto.step(rand(2, H), rand(2, I), null), rand(2, H), Map.of(), gradientArrays(auto));
    } finally {
      System.setOut(original);
    }
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void undeclaredExtrasAreNamed() {
    AutoRnn auto =
        new AutoRnn(new HandRnn(8)) {
          @Override
          public Map<String, Integer> extras() {
            return Map.of("pre", H, "gate", H);
          }
        };
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> auto.step(rand(2, H), rand(2, I), null));
    assertTrue(e.getMessage().contains("[gate, pre]"), e.getMessage());
  }

  @Test
  void aDriveNeedsAcceptsDrive() {
    HandRnn hand = new HandRnn(9);
    AutodiffCell plain =
        new AutodiffCell() {
          @Override
          protected Outputs forward(
              SameDiff sd,
              SDVariable h,
              SDVariable x,
              SDVariable drive,
              Map<String, SDVariable> p) {
            return new Outputs(sd.math().tanh(sd.mmul(h, p.get("w_rec"), false, true, false)));
          }

          @Override
          public int hiddenSize() {
            return H;
          }

          @Override
          public List<Parameter> parameters() {
            return hand.parameters();
          }

          @Override
          public INDArray initialState(int batch, RandomGenerator rng) {
            return hand.initialState(batch, rng);
          }
        };
    assertThrows(
        IllegalArgumentException.class, () -> plain.step(rand(2, H), rand(2, I), rand(2, H)));
    // x and most parameters are unused: their gradients are zeros, not missing
    Map<String, INDArray> g = gradientArrays(plain);
    Cell.StepGradients d =
        plain.vjp(plain.step(rand(2, H), rand(2, I), null), rand(2, H), Map.of(), g);
    assertArrayEquals(new long[] {2, I}, d.input().shape());
    assertEquals(0.0, d.input().norm2Number().doubleValue());
    assertEquals(0.0, g.get("w_in").norm2Number().doubleValue());
    assertFalse(g.get("w_rec").norm2Number().doubleValue() == 0.0);
  }

  /** Compares one step and its VJP of both cells at a random point. */
  private static void compare(
      Rnn hand, AutoRnn auto, int batch, boolean withDrive, boolean withPre, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray h = rand(batch, H);
    INDArray x = rand(batch, I);
    INDArray drive = withDrive ? rand(batch, H) : null;
    INDArray gNext = rand(batch, H);
    Map<String, INDArray> gExtras = withPre ? Map.of("pre", rand(batch, H)) : Map.of();
    Cell.Step a = hand.step(h, x, drive);
    Cell.Step b = auto.step(h, x, drive);
    close("next", a.next(), b.next());
    close("pre", a.extras().get("pre"), b.extras().get("pre"));
    Map<String, INDArray> ga = gradientArrays(hand);
    Map<String, INDArray> gb = gradientArrays(hand);
    Cell.StepGradients da = hand.vjp(a, gNext, gExtras, ga);
    Cell.StepGradients db = auto.vjp(b, gNext, gExtras, gb);
    close("dL/ds", da.previous(), db.previous());
    close("dL/dx", da.input(), db.input());
    for (String name : List.of("w_rec", "w_in", "b")) {
      close("dL/d" + name, ga.get(name), gb.get(name));
    }
  }

  private static Map<String, INDArray> gradientArrays(Cell cell) {
    Map<String, INDArray> g = new HashMap<>();
    for (Parameter p : cell.parameters()) {
      g.put(p.name(), Nd4j.zeros(p.value().dataType(), p.value().shape()));
    }
    return g;
  }

  private static INDArray rand(long... shape) {
    return Nd4j.randn(DataType.DOUBLE, shape);
  }

  private static void close(String what, INDArray expected, INDArray actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertEquals('c', actual.ordering(), what + ": order");
    double diff = expected.sub(actual).norm2Number().doubleValue();
    double scale = expected.norm2Number().doubleValue();
    assertTrue(diff <= TOL * scale + 1e-300, what + ": relative difference " + diff / scale);
  }
}
