package engram.core.train;

import engram.core.config.OptimizerConfig;
import engram.kernels.HostLoops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 *
 * <p>{@link #save} and {@link #restore} copy the whole state out and back in (a resumed run), so
 * that the updates after a restore are the ones the saved optimizer would have made, bit for bit.
 */
public abstract sealed class Optimizer {
  /** Elements per chunk: two chunks of a parameter and its gradient stay in the L1/L2 cache. */
  private static final int CHUNK = 4096;

  private final Map<String, ParameterState> states = new HashMap<>();
  private final float[] parameterFloats = new float[CHUNK];
  private final float[] gradientFloats = new float[CHUNK];
  private final double[] parameterDoubles = new double[CHUNK];
  private final double[] gradientDoubles = new double[CHUNK];

  /**
   * The saved state of one parameter.
   *
   * @param parameter the parameter's name
   * @param updates how many updates it has had (Adam's t; SGD with momentum: whether v exists)
   * @param buffers its per-element state, flat {@code [length]}, in the parameter's precision: the
   *     momentum v (SGD), or m then s (Adam)
   */
  public record SavedState(String parameter, long updates, List<INDArray> buffers) {
    public SavedState {
      buffers = List.copyOf(buffers);
    }
  }

  /**
   * Copies of the state of every parameter that has one (plain SGD keeps none), sorted by name;
   * fresh arrays that later updates do not change.
   */
  public final List<SavedState> save() {
    List<SavedState> saved = new ArrayList<>();
    new TreeMap<>(states)
        .forEach(
            (name, state) -> {
              List<INDArray> buffers = state.buffers();
              if (!buffers.isEmpty()) {
                saved.add(new SavedState(name, state.updates(), buffers));
              }
            });
    return saved;
  }

  /**
   * Takes over a state from {@link #save} of an optimizer of the same configuration: the next
   * update of each saved parameter continues where the saved optimizer stood.
   *
   * @throws IllegalStateException when this optimizer has updated a parameter already, or a saved
   *     state does not fit this optimizer (another type, a missing or mis-sized buffer)
   */
  public final void restore(List<SavedState> saved) {
    if (!states.isEmpty()) {
      throw new IllegalStateException("restore() needs a fresh optimizer; it has state already");
    }
    for (SavedState s : saved) {
      if (s.buffers().isEmpty()) {
        throw new IllegalStateException("saved state of '" + s.parameter() + "' has no buffers");
      }
      INDArray first = s.buffers().get(0);
      DataType type = first.dataType() == DataType.FLOAT ? DataType.FLOAT : DataType.DOUBLE;
      ParameterState state = newState(Math.toIntExact(first.length()), type);
      state.restore(s.parameter(), s.updates(), s.buffers());
      states.put(s.parameter(), state);
    }
  }

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

  /** The chunks as one new flat array. */
  static INDArray flat(float[][] chunks, int length) {
    float[] all = new float[length];
    for (int c = 0, from = 0; c < chunks.length; from += chunks[c].length, c++) {
      System.arraycopy(chunks[c], 0, all, from, chunks[c].length);
    }
    return Nd4j.createFromArray(all);
  }

  /** The chunks as one new flat array. */
  static INDArray flat(double[][] chunks, int length) {
    double[] all = new double[length];
    for (int c = 0, from = 0; c < chunks.length; from += chunks[c].length, c++) {
      System.arraycopy(chunks[c], 0, all, from, chunks[c].length);
    }
    return Nd4j.createFromArray(all);
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

    /** Updates so far. */
    long updates() {
      return 0;
    }

    /** Copies of the per-element state, flat; empty when there is none. */
    List<INDArray> buffers() {
      return List.of();
    }

    /** Sets what {@link #updates} and {@link #buffers} returned. */
    void restore(String name, long updates, List<INDArray> buffers) {
      throw new IllegalStateException(
          "parameter '" + name + "' has saved optimizer state, but this optimizer keeps none");
    }

    /** Checks that {@code buffers} are as many as this kind of state keeps. */
    final void expect(String name, List<INDArray> buffers, int count) {
      if (buffers.size() != count) {
        throw new IllegalStateException(
            "saved optimizer state of '"
                + name
                + "' has "
                + buffers.size()
                + " buffers, but this optimizer keeps "
                + count
                + " per parameter (was it saved by another optimizer type?)");
      }
    }

    /** {@code buffers.get(k)} into {@code chunks}, checking its type and length. */
    final void read(String name, List<INDArray> buffers, int k, float[][] chunks) {
      check(name, buffers, k);
      float[] all = buffers.get(k).toFloatVector();
      for (int c = 0, from = 0; c < chunks.length; from += chunks[c].length, c++) {
        System.arraycopy(all, from, chunks[c], 0, chunks[c].length);
      }
    }

    /** {@code buffers.get(k)} into {@code chunks}, checking its type and length. */
    final void read(String name, List<INDArray> buffers, int k, double[][] chunks) {
      check(name, buffers, k);
      double[] all = buffers.get(k).toDoubleVector();
      for (int c = 0, from = 0; c < chunks.length; from += chunks[c].length, c++) {
        System.arraycopy(all, from, chunks[c], 0, chunks[c].length);
      }
    }

    private void check(String name, List<INDArray> buffers, int k) {
      if (buffers.size() <= k
          || buffers.get(k).length() != length
          || buffers.get(k).dataType() != type) {
        throw new IllegalStateException(
            "saved optimizer state of '"
                + name
                + "' does not fit: expected buffer "
                + k
                + " of "
                + length
                + " "
                + type
                + " elements, found "
                + (buffers.size() <= k
                    ? "none"
                    : buffers.get(k).length() + " " + buffers.get(k).dataType()));
      }
    }

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
      private long updates;
      private boolean first;

      Momentum(int length, DataType type) {
        super(length, type);
        floats = type == DataType.FLOAT ? floatChunks(length) : null;
        doubles = type == DataType.FLOAT ? null : doubleChunks(length);
      }

      @Override
      void begin() {
        first = updates == 0;
        updates++;
      }

      @Override
      long updates() {
        return updates;
      }

      @Override
      List<INDArray> buffers() {
        return List.of(floats != null ? flat(floats, length) : flat(doubles, length));
      }

      @Override
      void restore(String name, long updates, List<INDArray> buffers) {
        expect(name, buffers, 1);
        if (floats != null) {
          read(name, buffers, 0, floats);
        } else {
          read(name, buffers, 0, doubles);
        }
        this.updates = updates;
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
      private long steps;
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
      long updates() {
        return steps;
      }

      @Override
      List<INDArray> buffers() {
        return firstFloats != null
            ? List.of(flat(firstFloats, length), flat(secondFloats, length))
            : List.of(flat(firstDoubles, length), flat(secondDoubles, length));
      }

      @Override
      void restore(String name, long updates, List<INDArray> buffers) {
        expect(name, buffers, 2);
        if (firstFloats != null) {
          read(name, buffers, 0, firstFloats);
          read(name, buffers, 1, secondFloats);
        } else {
          read(name, buffers, 0, firstDoubles);
          read(name, buffers, 1, secondDoubles);
        }
        this.steps = updates;
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
