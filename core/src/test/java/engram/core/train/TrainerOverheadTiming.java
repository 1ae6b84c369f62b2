package engram.core.train;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.core.config.OptimizerConfig;
import engram.core.config.OptimizerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: a timing harness for the trainer-side work of a step, without a network, on the
 * shapes of {@code engram bench} (leaky-rnn-sized parameters, heads scoring the last step like
 * {@code BenchCommand.fixedBatch}, or every step with {@code every}). Uses only APIs that predate
 * the host-loop rewrite, so the same class can time older builds put first on the class path.
 *
 * <pre>
 * java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) \
 *     engram.core.train.TrainerOverheadTiming L [every] [repeats]
 * </pre>
 *
 * Prints medians in ms of: zeroing dL/dh (assign(0)), the heads' evaluate, and collect + clip + SGD
 * (Nesterov) updates.
 */
public final class TrainerOverheadTiming {
  private TrainerOverheadTiming() {}

  public static void main(String[] args) {
    String shape = args.length > 0 ? args[0] : "S";
    boolean every = args.length > 1 && args[1].equals("every");
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    int h;
    int b;
    int t;
    int heads;
    switch (shape) {
      case "S" -> {
        h = 128;
        b = 64;
        t = 50;
        heads = 1;
      }
      case "M" -> {
        h = 256;
        b = 128;
        t = 100;
        heads = 1;
      }
      case "L" -> {
        h = 500;
        b = 256;
        t = 100;
        heads = 29;
      }
      default -> throw new IllegalArgumentException("shape S, M or L");
    }
    SplittableRandom rng = new SplittableRandom(0);
    List<Target> targets = new ArrayList<>();
    List<Assignment> assignments = new ArrayList<>();
    for (int k = 0; k < heads; k++) {
      float[] labels = new float[t * b];
      float[] mask = new float[t * b];
      for (int s = every ? 0 : (t - 1) * b; s < t * b; s++) {
        labels[s] = rng.nextInt(2);
        mask[s] = 1f;
      }
      targets.add(new Target(k + 2, LossKind.CLASSIFICATION, 2, labels, mask));
      assignments.add(new Assignment(k + 2, k));
    }
    Batch batch = new Batch(t, b, 1, new float[t * b], targets);
    Stage stage = new Stage(assignments);
    ReadoutHeads readout = new ReadoutHeads(h, 2, DataType.FLOAT, new SplittableRandom(1));
    INDArray hidden = Nd4j.rand(DataType.FLOAT, t, b, h).subi(0.5);
    INDArray dLdh = Nd4j.create(DataType.FLOAT, t, b, h);

    List<INDArray> values =
        List.of(
            Nd4j.rand(DataType.FLOAT, h, h),
            Nd4j.rand(DataType.FLOAT, h, 1),
            Nd4j.rand(DataType.FLOAT, h),
            Nd4j.rand(DataType.FLOAT, h));
    List<INDArray> modelGrads =
        values.stream().map(v -> Nd4j.rand(DataType.FLOAT, v.shape())).toList();
    Optimizer optimizer =
        Optimizer.create(new OptimizerConfig(OptimizerType.SGD, 0.05, 0.1, true, 0.9, 0.999, 1e-8));

    double[] zero = new double[repeats];
    double[] loss = new double[repeats];
    double[] update = new double[repeats];
    int warmup = 10;
    for (int r = -warmup; r < repeats; r++) {
      long t0 = System.nanoTime();
      dLdh.assign(0);
      long t1 = System.nanoTime();
      readout.evaluate(stage, batch, hidden, dLdh);
      long t2 = System.nanoTime();
      List<Parameter> params = new ArrayList<>();
      List<INDArray> grads = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        params.add(new Parameter("p" + i, values.get(i), true));
        grads.add(modelGrads.get(i));
      }
      readout.collect(stage, params, grads);
      Trainer.clip(grads, 2.0);
      for (int i = 0; i < params.size(); i++) {
        optimizer.update(params.get(i).name(), params.get(i).value(), grads.get(i));
      }
      long t3 = System.nanoTime();
      if (r >= 0) {
        zero[r] = (t1 - t0) / 1e6;
        loss[r] = (t2 - t1) / 1e6;
        update[r] = (t3 - t2) / 1e6;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s%s: zero %.3f  evaluate %.3f  update %.3f ms (medians of %d)%n",
        shape,
        every ? " every step" : "",
        median(zero),
        median(loss),
        median(update),
        repeats);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
