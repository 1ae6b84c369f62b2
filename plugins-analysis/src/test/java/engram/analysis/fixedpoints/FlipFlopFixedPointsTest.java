package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.analysis.fixedpoints.FixedPointFinder.Stability;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.api.task.Batch;
import engram.models.vanilla.VanillaRnnModel;
import engram.runtime.Networks;
import engram.tasks.flipflop.FlipFlopTask;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The check of spec memory-geometry §8 (FixedPointFinder's example): a 16-unit tanh RNN trained on
 * the 3-bit flip-flop (p = 0.5, T = 64) has 8 stable fixed points whose readouts take the 8 sign
 * patterns (the corners of the cube), and saddles between them.
 *
 * <p>Training is written out here (the analysis module does not depend on core's trainer): full
 * BPTT through the runtime's network, a linear readout y = h·Wᵀ + b, mean squared error over all
 * steps and outputs, Adam (lr 0.01, β 0.9/0.999), batches of 64, DOUBLE arithmetic, seed 1, all
 * 1,500 steps (stopping as soon as accuracy passed 99.5% left, for this seed, the memories as slow
 * points rather than fixed ones). The readout's initial weights come from the seeded stream too:
 * ND4J's global generator would make the outcome depend on the tests that ran before.
 *
 * <p>Besides the 8 corners the map may keep one more stable point: the one near the initial state
 * h0 = 0, which training never tests (every channel pulses at step 0).
 */
class FlipFlopFixedPointsTest {

  private static final int H = 16;
  private static final int K = 3;

  @Test
  @Tag("slow")
  void trainedFlipFlopHasEightStableCornersAndSaddles() {
    FlipFlopTask task = new FlipFlopTask();
    FlipFlopTask.Config taskConfig = new FlipFlopTask.Config(K, 64, 0.5, false);
    SplittableRandom rng = new SplittableRandom(1);
    Network network =
        Networks.create(
            new VanillaRnnModel(),
            new VanillaRnnModel.Config(
                H, VanillaRnnModel.Nonlinearity.TANH, VanillaRnnModel.InitialState.ZERO, 0.1),
            new NetworkSpec(K, DataType.DOUBLE),
            rng);
    // drawn from the test's own stream: ND4J's global generator depends on what ran before
    double[][] w0 = new double[K][H];
    for (double[] row : w0) {
      for (int j = 0; j < H; j++) {
        row[j] = gaussian(rng) / Math.sqrt(H);
      }
    }
    INDArray w = Nd4j.createFromArray(w0);
    INDArray b = Nd4j.zeros(DataType.DOUBLE, 1, K);
    Map<String, INDArray> params = new HashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        params.put(p.name(), p.value());
      }
    }
    params.put("readout_w", w);
    params.put("readout_b", b);
    Map<String, INDArray> m = new HashMap<>();
    Map<String, INDArray> v = new HashMap<>();
    params.forEach(
        (name, value) -> {
          m.put(name, Nd4j.zerosLike(value));
          v.put(name, Nd4j.zerosLike(value));
        });
    double accuracy = 0;
    for (int step = 1;
        step <= 1500;
        step++) { // no early stop: attractors sharpen after the task is solved
      Batch batch = task.sample(taskConfig, new int[] {1}, 64, rng);
      Map<String, INDArray> grads = gradients(network, batch, w, b);
      for (String name : params.keySet()) {
        INDArray g = grads.get(name);
        m.get(name).muli(0.9).addi(g.mul(0.1));
        v.get(name).muli(0.999).addi(g.mul(g).muli(0.001));
        INDArray mHat = m.get(name).div(1 - Math.pow(0.9, step));
        INDArray vHat = v.get(name).div(1 - Math.pow(0.999, step));
        params.get(name).subi(mHat.divi(Transforms.sqrt(vHat, true).addi(1e-8)).muli(0.01));
      }
      network.constrain();
      if (step % 100 == 0) {
        accuracy = accuracy(network, task.sample(taskConfig, new int[] {1}, 128, rng), w, b);
      }
    }
    assertTrue(accuracy > 0.98, "the network did not learn the flip-flop: accuracy " + accuracy);

    Batch batch = task.sample(taskConfig, new int[] {1}, 32, rng);
    double[][] states = hidden(network, batch).reshape(64L * 32, H).toDoubleMatrix();
    StepMap map = StepMap.of(network, new double[K]);
    double[][] initial = FixedPointFinder.initialStates(states, 1024, 0.5, new SplittableRandom(2));
    List<Point> points =
        new BatchedFixedPointFinder(map, FixedPointFinder.Options.defaults()).find(initial);
    Set<String> corners = new HashSet<>();
    int stable = 0; // stable points at corners
    int origin = 0; // stable points whose output is not at a corner
    List<double[]> uncommitted = new java.util.ArrayList<>();
    double nearestCorner = Double.POSITIVE_INFINITY; // smallest ‖h‖ of a stable corner point
    int saddles = 0;
    for (Point p : points) {
      if (!p.fixed()) {
        continue;
      }
      double[] y = readout(p.state(), w, b);
      if (p.stability() == Stability.STABLE) {
        boolean committed = true;
        StringBuilder signs = new StringBuilder();
        for (double yk : y) {
          committed &= Math.abs(yk) > 0.5;
          signs.append(yk > 0 ? '+' : '-');
        }
        if (committed) {
          stable++;
          nearestCorner = Math.min(nearestCorner, norm(p.state()));
          corners.add(signs.toString());
        } else {
          // Near the initial state h0 = 0 the map has a fixed point of its own (the biases move it
          // off 0); training never tests it, since every channel pulses at step 0, so it may stay
          // stable. It is checked below to be that point and no other.
          uncommitted.add(p.state());
          origin++;
        }
      } else if (p.stability() == Stability.SADDLE) {
        saddles++;
        double smallest = Double.POSITIVE_INFINITY;
        for (double yk : y) {
          smallest = Math.min(smallest, Math.abs(yk));
        }
        // between corners: at least one output is not committed to a sign
        assertTrue(smallest < 0.5, "a saddle sits at a corner: " + java.util.Arrays.toString(y));
      }
    }
    assertEquals(8, stable, "stable fixed points: " + stable + ", corners " + corners);
    assertEquals(8, corners.size(), "sign patterns of the stable points: " + corners);
    assertTrue(origin <= 1, "more than one stable point off the corners: " + origin);
    for (double[] h : uncommitted) {
      assertTrue(
          norm(h) < 0.5 * nearestCorner,
          "a stable point off the corners is not the one near h0 = 0: ‖h‖ = " + norm(h));
    }
    assertTrue(saddles >= 1, "no saddle found");

    // The fast finder (what the analyzer runs) finds the reference's fixed points: each within
    // 1e-6, with the same class and number of unstable eigenvalues, and no other. Every fourth
    // start (256, the analyzer's default count) keeps the unbatched reference to a minute.
    double[][] some = new double[initial.length / 4][];
    for (int i = 0; i < some.length; i++) {
      some[i] = initial[4 * i];
    }
    List<Point> reference =
        new FixedPointFinder(map, FixedPointFinder.Options.defaults())
            .find(some).stream().filter(Point::fixed).toList();
    List<Point> fast =
        new FastFixedPointFinder(map, FixedPointFinder.Options.defaults())
            .find(some).stream().filter(Point::fixed).toList();
    assertEquals(reference.size(), fast.size(), "reference " + reference.size());
    for (Point r : reference) {
      Point nearest = fast.get(0);
      for (Point f : fast) {
        if (FixedPointFinder.distance(f.state(), r.state())
            < FixedPointFinder.distance(nearest.state(), r.state())) {
          nearest = f;
        }
      }
      assertTrue(FixedPointFinder.distance(nearest.state(), r.state()) < 1e-6, "moved");
      assertEquals(r.stability(), nearest.stability());
      assertEquals(r.unstableCount(), nearest.unstableCount());
    }
  }

  private static double norm(double[] h) {
    double sum = 0;
    for (double hk : h) {
      sum += hk * hk;
    }
    return Math.sqrt(sum);
  }

  /** A standard normal draw (Box–Muller). */
  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
        * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  private static double[] readout(double[] h, INDArray w, INDArray b) {
    INDArray y = Nd4j.createFromArray(new double[][] {h}).mmul(w.transpose()).addi(b);
    return y.toDoubleVector();
  }

  private static INDArray hidden(Network network, Batch batch) {
    INDArray x =
        Nd4j.createFromArray(batch.inputs())
            .castTo(DataType.DOUBLE)
            .reshape(batch.steps(), batch.batch(), K);
    return network.forward(x, network.initialState(batch.batch(), null)).hidden().dup();
  }

  private static INDArray targets(Batch batch) {
    return Nd4j.createFromArray(batch.targets().get(0).values())
        .castTo(DataType.DOUBLE)
        .reshape((long) batch.steps() * batch.batch(), K);
  }

  /** ∂L/∂θ of L = mean over steps, sequences and outputs of (y − target)². */
  private static Map<String, INDArray> gradients(
      Network network, Batch batch, INDArray w, INDArray b) {
    int t = batch.steps();
    int n = batch.batch();
    INDArray x = Nd4j.createFromArray(batch.inputs()).castTo(DataType.DOUBLE).reshape(t, n, K);
    Trajectory trajectory = network.forward(x, network.initialState(n, null));
    INDArray h = trajectory.hidden().reshape((long) t * n, H);
    INDArray y = h.mmul(w.transpose()).addiRowVector(b);
    INDArray dy = y.subi(targets(batch)).muli(2.0 / ((double) t * n * K));
    Map<String, INDArray> grads = new HashMap<>();
    grads.put("readout_w", dy.transpose().mmul(h));
    grads.put("readout_b", dy.sum(true, 0));
    INDArray dh = dy.mmul(w).reshape(t, n, H);
    Map<String, INDArray> cell = new HashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        cell.put(p.name(), Nd4j.zerosLike(p.value()));
      }
    }
    network.backward(trajectory, dh, cell);
    grads.putAll(cell);
    return grads;
  }

  private static double accuracy(Network network, Batch batch, INDArray w, INDArray b) {
    INDArray h = hidden(network, batch).reshape((long) batch.steps() * batch.batch(), H);
    INDArray y = h.mmul(w.transpose()).addiRowVector(b);
    INDArray target = targets(batch);
    double agree =
        Transforms.sign(y)
            .eq(Transforms.sign(target))
            .castTo(DataType.DOUBLE)
            .sumNumber()
            .doubleValue();
    return agree / y.length();
  }
}
