package engram.core.train;

import engram.core.config.OptimizerConfig;
import engram.kernels.HostLoops;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters in place from their gradients, with the update rules of PyTorch's {@code
 * torch.optim.SGD} (momentum, dampening 0, optional Nesterov) and {@code torch.optim.Adam}
 * (bias-corrected), so results are comparable with the papers' code.
 *
 * <p>State (momentum buffers, Adam moments and step counts) is kept per parameter name and created
 * on a parameter's first update, so readout heads added later by a curriculum start fresh. It lives
 * in Java arrays, and an update is a plain Java loop over chunks of the parameter and gradient
 * copied from and to their native buffers ({@link HostLoops}): a few bulk copies per parameter
 * instead of the 4–8 ND4J ops (each with its overhead and temporaries) the rules take.
 *
 * <p>Arithmetic is in the parameter's precision, one rounding per operation in the order the
 * formulas below are written, with the scalars (lr, μ, lr·μ, β, 1−β, √(1−β2^t), ε, lr/(1−β1^t))
 * rounded to that precision first: the same operations ND4J performed when this class issued one op
 * per term, so float32 and float64 results are the same bit for bit (Java does not fuse
 * multiply-adds; OptimizerTest compares the two on random data). Parameters that are not
 * C-contiguous FLOAT or DOUBLE arrays are updated through a contiguous copy, written back.
 */
public abstract sealed class Optimizer {
  /** Elements per chunk: two chunks of a parameter and its gradient stay in the L1/L2 cache. */
  private static final int CHUNK = 4096;

  private final Map<String, ParameterState> states = new HashMap<>();
  private final float[] parameterFloats = new float[CHUNK];
  private final float[] gradientFloats = new float[CHUNK];
  private final double[] parameterDoubles = new double[CHUNK];
  private final double[] gradientDoubles = new double[CHUNK];

  public static Optimizer create(OptimizerConfig config) {
    return switch (config.type()) {
      case SGD -> new Sgd(config.lr(), config.momentum(), config.nesterov());
      case ADAM -> new Adam(config.lr(), config.beta1(), config.beta2(), config.epsilon());
    };
  }

  /**
   * Applies one update: {@code parameter ← parameter − lr · step(gradient)}. The gradient is only
   * read (the optimizer keeps copies, never a reference).
   *
   * @throws IllegalArgumentException when the two arrays differ in length
   * @throws IllegalStateException when {@code name} was updated before with another length or type
   */
  public final void update(String name, INDArray parameter, INDArray gradient) {
    if (parameter.length() != gradient.length()) {
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "' has "
              + parameter.length()
              + " elements but its gradient "
              + gradient.length());
    }
    if (HostLoops.contiguous(parameter)
        && HostLoops.contiguous(gradient)
        && parameter.dataType() == gradient.dataType()) {
      updateContiguous(name, parameter, gradient);
      return;
    }
    DataType type = parameter.dataType() == DataType.FLOAT ? DataType.FLOAT : DataType.DOUBLE;
    INDArray copy = parameter.castTo(type).dup('c');
    updateContiguous(name, copy, gradient.castTo(type).dup('c'));
    parameter.assign(copy);
  }

  private void updateContiguous(String name, INDArray parameter, INDArray gradient) {
    int length = Math.toIntExact(parameter.length());
    DataType type = parameter.dataType();
    ParameterState state = states.computeIfAbsent(name, k -> newState(length, type));
    if (state.length != length || state.type != type) {
      throw new IllegalStateException(
          "parameter '"
              + name
              + "' was updated before as "
              + state.length
              + " "
              + state.type
              + " elements, now "
              + length
              + " "
              + type);
    }
    state.begin();
    if (type == DataType.FLOAT) {
      Pointer p = HostLoops.pointer(parameter);
      Pointer g = HostLoops.pointer(gradient);
      for (int chunk = 0; chunk < chunks(length); chunk++) {
        int from = chunk * CHUNK;
        int n = Math.min(CHUNK, length - from);
        HostLoops.get(p, from, parameterFloats, n);
        HostLoops.get(g, from, gradientFloats, n);
        state.apply(chunk, parameterFloats, gradientFloats, n);
        HostLoops.put(p, from, parameterFloats, n);
      }
    } else {
      Pointer p = HostLoops.pointer(parameter);
      Pointer g = HostLoops.pointer(gradient);
      for (int chunk = 0; chunk < chunks(length); chunk++) {
        int from = chunk * CHUNK;
        int n = Math.min(CHUNK, length - from);
        HostLoops.get(p, from, parameterDoubles, n);
        HostLoops.get(g, from, gradientDoubles, n);
        state.apply(chunk, parameterDoubles, gradientDoubles, n);
        HostLoops.put(p, from, parameterDoubles, n);
      }
    }
  }

  private static int chunks(int length) {
    return (length + CHUNK - 1) / CHUNK;
  }

  /** Per-element state in chunks of {@link #CHUNK} (the last one shorter), zeroed. */
  static float[][] floatChunks(int length) {
    float[][] chunks = new float[chunks(length)][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new float[Math.min(CHUNK, length - c * CHUNK)];
    }
    return chunks;
  }

  /** Per-element state in chunks of {@link #CHUNK} (the last one shorter), zeroed. */
  static double[][] doubleChunks(int length) {
    double[][] chunks = new double[chunks(length)][];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = new double[Math.min(CHUNK, length - c * CHUNK)];
    }
    return chunks;
  }

  /** Fresh state for a parameter of {@code length} elements of {@code type} (FLOAT or DOUBLE). */
  abstract ParameterState newState(int length, DataType type);

  /**
   * One parameter's optimizer state, updated chunk by chunk: {@link #begin} once per update, then
   * {@code apply} on each chunk of {@link #CHUNK} elements. Per-element state is stored in chunks
   * too, so the loops index every array from 0: C2 vectorises {@code v[i]} but not {@code v[from +
   * i]}.
   */
  abstract static class ParameterState {
    final int length;
    final DataType type;

    ParameterState(int length, DataType type) {
      this.length = length;
      this.type = type;
    }

    abstract void begin();

    abstract void apply(int chunk, float[] parameter, float[] gradient, int n);

    abstract void apply(int chunk, double[] parameter, double[] gradient, int n);
  }

  /**
   * v ← μ·v + g; θ ← θ − lr·g − lr·μ·v with Nesterov, θ ← θ − lr·v without; μ = 0: θ ← θ − lr·g.
   */
  static final class Sgd extends Optimizer {
    private final double lr;
    private final double momentum;
    private final boolean nesterov;

    Sgd(double lr, double momentum, boolean nesterov) {
      this.lr = lr;
      this.momentum = momentum;
      this.nesterov = nesterov;
    }

    @Override
    ParameterState newState(int length, DataType type) {
      return momentum == 0 ? new Plain(length, type) : new Momentum(length, type);
    }

    /** No state: θ ← θ − lr·g. */
    private final class Plain extends ParameterState {
      private final float lrFloat = (float) lr;

      Plain(int length, DataType type) {
        super(length, type);
      }

      @Override
      void begin() {}

      @Override
      void apply(int chunk, float[] p, float[] g, int n) {
        for (int i = 0; i < n; i++) {
          p[i] = p[i] - g[i] * lrFloat;
        }
      }

      @Override
      void apply(int chunk, double[] p, double[] g, int n) {
        for (int i = 0; i < n; i++) {
          p[i] = p[i] - g[i] * lr;
        }
      }
    }

    /** The momentum buffer v, started at the first gradient as PyTorch does. */
    private final class Momentum extends ParameterState {
      private final float[][] floats;
      private final double[][] doubles;
      private final float lrFloat = (float) lr;
      private final float momentumFloat = (float) momentum;
      private final float lrMomentumFloat = (float) (lr * momentum);
      private boolean started;
      private boolean first;

      Momentum(int length, DataType type) {
        super(length, type);
        floats = type == DataType.FLOAT ? floatChunks(length) : null;
        doubles = type == DataType.FLOAT ? null : doubleChunks(length);
      }

      @Override
      void begin() {
        first = !started;
        started = true;
      }

      @Override
      void apply(int chunk, float[] p, float[] g, int n) {
        float[] v = floats[chunk];
        float mu = momentumFloat;
        float rate = lrFloat;
        float rateMu = lrMomentumFloat;
        if (first) {
          System.arraycopy(g, 0, v, 0, n);
        } else {
          for (int i = 0; i < n; i++) {
            v[i] = v[i] * mu + g[i];
          }
        }
        if (nesterov) {
          for (int i = 0; i < n; i++) {
            p[i] = p[i] - g[i] * rate - v[i] * rateMu;
          }
        } else {
          for (int i = 0; i < n; i++) {
            p[i] = p[i] - v[i] * rate;
          }
        }
      }

      @Override
      void apply(int chunk, double[] p, double[] g, int n) {
        double[] v = doubles[chunk];
        double mu = momentum;
        double rate = lr;
        double rateMu = lr * momentum;
        if (first) {
          System.arraycopy(g, 0, v, 0, n);
        } else {
          for (int i = 0; i < n; i++) {
            v[i] = v[i] * mu + g[i];
          }
        }
        if (nesterov) {
          for (int i = 0; i < n; i++) {
            p[i] = p[i] - g[i] * rate - v[i] * rateMu;
          }
        } else {
          for (int i = 0; i < n; i++) {
            p[i] = p[i] - v[i] * rate;
          }
        }
      }
    }
  }

  /**
   * m ← β1·m + (1−β1)·g; s ← β2·s + (1−β2)·g²; θ ← θ − (m / (√s / √(1−β2^t) + ε)) · lr/(1−β1^t),
   * which is θ − lr·m̂/(√ŝ + ε).
   */
  static final class Adam extends Optimizer {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    Adam(double lr, double beta1, double beta2, double epsilon) {
      this.lr = lr;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.epsilon = epsilon;
    }

    @Override
    ParameterState newState(int length, DataType type) {
      return new Moments(length, type);
    }

    /** The moments m and s and the step count t of one parameter. */
    private final class Moments extends ParameterState {
      private final float[][] firstFloats;
      private final float[][] secondFloats;
      private final double[][] firstDoubles;
      private final double[][] secondDoubles;
      private int steps;
      private double rootBias2; // √(1−β2^t)
      private double stepSize; // lr/(1−β1^t)

      Moments(int length, DataType type) {
        super(length, type);
        boolean floats = type == DataType.FLOAT;
        firstFloats = floats ? floatChunks(length) : null;
        secondFloats = floats ? floatChunks(length) : null;
        firstDoubles = floats ? null : doubleChunks(length);
        secondDoubles = floats ? null : doubleChunks(length);
      }

      @Override
      void begin() {
        steps++;
        rootBias2 = Math.sqrt(1 - Math.pow(beta2, steps));
        stepSize = lr / (1 - Math.pow(beta1, steps));
      }

      @Override
      void apply(int chunk, float[] p, float[] g, int n) {
        float[] m = firstFloats[chunk];
        float[] s = secondFloats[chunk];
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float root = (float) rootBias2;
        float eps = (float) epsilon;
        float step = (float) stepSize;
        for (int i = 0; i < n; i++) {
          m[i] = m[i] * b1 + g[i] * oneMinusB1;
          s[i] = s[i] * b2 + g[i] * g[i] * oneMinusB2;
          // (float) of the double square root of a float is the correctly rounded float root
          float denominator = (float) Math.sqrt(s[i]) / root + eps;
          p[i] = p[i] - m[i] / denominator * step;
        }
      }

      @Override
      void apply(int chunk, double[] p, double[] g, int n) {
        double[] m = firstDoubles[chunk];
        double[] s = secondDoubles[chunk];
        double b1 = beta1;
        double oneMinusB1 = 1 - beta1;
        double b2 = beta2;
        double oneMinusB2 = 1 - beta2;
        double root = rootBias2;
        double eps = epsilon;
        double step = stepSize;
        for (int i = 0; i < n; i++) {
          m[i] = m[i] * b1 + g[i] * oneMinusB1;
          s[i] = s[i] * b2 + g[i] * g[i] * oneMinusB2;
          double denominator = Math.sqrt(s[i]) / root + eps;
          p[i] = p[i] - m[i] / denominator * step;
        }
      }
    }
  }
}
