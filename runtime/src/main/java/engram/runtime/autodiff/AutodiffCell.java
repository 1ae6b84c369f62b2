package engram.runtime.autodiff;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.Cell;
import engram.api.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apiguardian.api.API;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Cell} whose author writes only the forward step, as an ND4J SameDiff graph: {@link
 * #step} runs the graph and {@link #vjp} is SameDiff's reverse-mode gradient of it. Everything else
 * of a cell (its parameters, initial state, extras and optional abilities) is written as for any
 * cell.
 *
 * <p><b>What an author writes.</b> A subclass implements {@link #hiddenSize()}, {@link
 * #parameters()} (live arrays, as for any cell), {@link #initialState}, {@link #extras()} if it has
 * extras, and {@link #forward}: given SameDiff variables for s_{t−1} {@code [B, S]}, x_t {@code [B,
 * I]}, ξ_t {@code [B, H]} (or null) and one variable per parameter, it adds the step's operations
 * to the graph and returns s_t and the extras. For example, a vanilla tanh RNN:
 *
 * <pre>{@code
 * protected Outputs forward(SameDiff sd, SDVariable h, SDVariable x, SDVariable drive,
 *     Map<String, SDVariable> p) {
 *   SDVariable u = sd.mmul(h, p.get("w_rec"), false, true, false)
 *       .add(sd.mmul(x, p.get("w_in"), false, true, false)).add(p.get("b"));
 *   return new Outputs(sd.math().tanh(drive == null ? u : u.add(drive)));
 * }
 * }</pre>
 *
 * <p>A cell that takes a drive implements {@link Cell.AcceptsDrive} as usual; one whose extras take
 * gradients implements {@link Cell.DifferentiableExtras}, and its VJP then includes dL/d(extra) for
 * whichever of them the runtime passes. The graph must be loop-free and made of differentiable
 * SameDiff operations (every SameDiff op with a backward op qualifies; control flow does not, since
 * SameDiff cannot differentiate through its loops). A plugin using this class needs {@code
 * engram-runtime} at compile time (scope {@code provided}: Engram puts it on the class path at run
 * time) besides {@code engram-api}.
 *
 * <p><b>How it runs.</b> {@link #forward} is called once per variant of the graph, lazily: with and
 * without a drive, for each set of extras the VJP gets gradients for, for each input width (usually
 * one or two variants in all). State, input and drive are placeholders with a free batch dimension,
 * so the batch size may change from call to call. Parameters are SameDiff variables bound to the
 * cell's own live arrays: updates an optimizer or a constraint makes in place are seen by the next
 * call, and an array replaced by a new one is rebound. The VJP differentiates L = Σ gNext ⊙ s_t + Σ
 * gExtra ⊙ extra with respect to s_{t−1}, x_t and every trainable parameter; it adds nothing to the
 * gradient arrays of parameters that are not trainable (core discards those anyway). A parameter
 * the graph does not use gets no gradient.
 *
 * <p><b>What it costs.</b> Building a variant takes tens of milliseconds (the first SameDiff graph
 * of a JVM about a second more, for SameDiff's own start-up). Per call, the forward step costs
 * about what the same step written in plain ND4J costs. SameDiff keeps no intermediate results
 * between calls, so every {@link #vjp} runs the forward step again before its backward pass, and
 * each SameDiff operation carries more bookkeeping than a plain ND4J call: a training step (forward
 * and VJP, or a whole forward and backward pass through the runtime) costs about twice what the
 * hand-written cell costs, at small and medium sizes alike (for the leaky RNN; the measurement is
 * in {@code docs/autodiff-step.md}). Hand-write the VJP, as a plain {@link Cell}, where training
 * speed matters; this class is the quickest way to a correct cell, and an oracle to test a
 * hand-written VJP against.
 *
 * <p>Arrays returned by {@link #step} and {@link #vjp} are new and C-order. The cell keeps one
 * SameDiff graph per variant and, like any cell, is used by one thread at a time.
 */
@API(status = EXPERIMENTAL, since = "0.2")
public abstract class AutodiffCell implements Cell {
  // Placeholder names; parameters keep their own names, which must not start with "engram_".
  private static final String PREVIOUS = "engram_previous";
  private static final String INPUT = "engram_input";
  private static final String DRIVE = "engram_drive";
  private static final String G_NEXT = "engram_g_next";
  private static final String G_EXTRA = "engram_g_extra_";

  /** SameDiff M2.1's createGradFunction prints this, once per operation, to System.out. */
  private static final String GRADIENT_CHATTER = "Added differentiated op ";

  private static final Object STDOUT_LOCK = new Object();

  private final Map<Variant, Graph> graphs = new HashMap<>();

  /** Creates the cell; the graph is built on the first {@link #step}. */
  protected AutodiffCell() {}

  /**
   * What {@link #forward} returns.
   *
   * @param next s_t, {@code [B, S]}
   * @param extras one variable per name of {@link Cell#extras()}, {@code [B, K]} each
   */
  public record Outputs(SDVariable next, Map<String, SDVariable> extras) {
    /**
     * Checks that the state is set and copies the extras.
     *
     * @param next s_t
     * @param extras the step's extras by name
     * @throws NullPointerException when either is null
     */
    public Outputs {
      Objects.requireNonNull(next, "next");
      extras = Map.copyOf(Objects.requireNonNull(extras, "extras"));
    }

    /**
     * A step without extras.
     *
     * @param next s_t
     */
    public Outputs(SDVariable next) {
      this(next, Map.of());
    }
  }

  /**
   * Adds one step s_t = F(s_{t−1}, x_t, ξ_t) to {@code sd}. Called once per variant of the graph
   * (see the class comment), never per step: it builds operations, it computes nothing. Use only
   * {@code sd} and the variables given (constants may be added with {@code sd.constant}).
   *
   * @param sd the graph
   * @param previous s_{t−1}, a placeholder {@code [B, S]} in the cell's data type
   * @param input x_t, a placeholder {@code [B, I]}
   * @param drive ξ_t, a placeholder {@code [B, H]}; null when no drive is given (always null for a
   *     cell that does not implement {@link Cell.AcceptsDrive})
   * @param parameters one variable per entry of {@link #parameters()}, by its name, bound to its
   *     live array
   * @return s_t {@code [B, S]} and every extra of {@link #extras()} {@code [B, K]}
   */
  protected abstract Outputs forward(
      SameDiff sd,
      SDVariable previous,
      SDVariable input,
      SDVariable drive,
      Map<String, SDVariable> parameters);

  /**
   * Runs the forward graph.
   *
   * @throws IllegalArgumentException when a drive is given to a cell that does not accept one
   * @throws IllegalStateException when the cell's parameters are missing or of mixed data types, or
   *     {@link #forward} does not return exactly the declared extras
   */
  @Override
  public final Step step(INDArray previous, INDArray input, INDArray drive) {
    if (drive != null && !(this instanceof AcceptsDrive)) {
      throw new IllegalArgumentException(
          name() + " does not implement Cell.AcceptsDrive, so it takes no drive");
    }
    Graph g = graph(new Variant(Math.toIntExact(input.size(1)), drive != null, Set.of()));
    Map<String, INDArray> out = g.sd.output(g.feed(previous, input, drive), g.outputs);
    Map<String, INDArray> extras = new LinkedHashMap<>();
    g.extras.forEach((name, variable) -> extras.put(name, dense(out.get(variable))));
    return new Step(previous, input, drive, dense(out.get(g.next)), extras, Map.of());
  }

  /**
   * Runs SameDiff's gradient of the step (which computes the forward step again first).
   *
   * @throws IllegalArgumentException when {@code gExtras} names an extra that is not declared
   */
  @Override
  public final StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    Map<String, Integer> declared = extras();
    for (String name : gExtras.keySet()) {
      if (!declared.containsKey(name)) {
        throw new IllegalArgumentException(
            name() + " has no extra '" + name + "'; its extras are " + declared.keySet());
      }
    }
    Graph g =
        graph(
            new Variant(
                Math.toIntExact(step.input().size(1)),
                step.drive() != null,
                new TreeSet<>(gExtras.keySet())));
    Map<String, INDArray> feed = g.feed(step.previous(), step.input(), step.drive());
    feed.put(G_NEXT, gNext);
    gExtras.forEach((name, gradient) -> feed.put(G_EXTRA + name, gradient));
    List<String> wrt = new ArrayList<>(List.of(PREVIOUS, INPUT));
    for (Parameter p : parameters()) {
      if (p.trainable()) {
        wrt.add(p.name());
      }
    }
    Map<String, INDArray> grads = g.sd.calculateGradients(feed, wrt);
    for (String name : wrt.subList(2, wrt.size())) {
      INDArray d = grads.get(name);
      if (d != null) { // null: the graph does not use this parameter
        gParameters.get(name).addi(d);
      }
    }
    return new StepGradients(
        gradientOrZeros(grads.get(PREVIOUS), step.previous()),
        gradientOrZeros(grads.get(INPUT), step.input()));
  }

  /** The graph of a variant, built on first use, its parameters bound to the live arrays. */
  private Graph graph(Variant variant) {
    Graph g = graphs.get(variant);
    if (g == null) {
      g = new Graph(variant);
      graphs.put(variant, g);
    }
    g.bind();
    return g;
  }

  /** When {@link #forward} runs again: input width, drive or not, extras with gradients. */
  private record Variant(int inputs, boolean drive, Set<String> gradientExtras) {}

  /** One variant's SameDiff graph, with its loss for the VJP and its gradient function. */
  private final class Graph {
    final SameDiff sd = SameDiff.create();
    final String next;
    final Map<String, String> extras = new LinkedHashMap<>(); // extra → its variable's name
    final String[] outputs;

    Graph(Variant variant) {
      DataType type = dataType();
      int s = stateSize();
      SDVariable prev = sd.placeHolder(PREVIOUS, type, -1, s);
      SDVariable x = sd.placeHolder(INPUT, type, -1, variant.inputs());
      SDVariable drive = variant.drive() ? sd.placeHolder(DRIVE, type, -1, hiddenSize()) : null;
      Map<String, SDVariable> params = new LinkedHashMap<>();
      for (Parameter p : parameters()) {
        if (p.name().startsWith("engram_")) {
          throw new IllegalStateException(
              name()
                  + ": parameter names starting with 'engram_'"
                  + " are reserved, got '"
                  + p.name()
                  + "'");
        }
        params.put(p.name(), sd.var(p.name(), p.value()));
      }
      Outputs out =
          Objects.requireNonNull(
              forward(sd, prev, x, drive, Collections.unmodifiableMap(params)),
              () -> name() + ".forward returned null");
      Map<String, Integer> declared = extras();
      if (!out.extras().keySet().equals(declared.keySet())) {
        throw new IllegalStateException(
            name()
                + ".forward returned the extras "
                + new TreeSet<>(out.extras().keySet())
                + ", but extras() declares "
                + new TreeSet<>(declared.keySet()));
      }
      next = out.next().name();
      Set<String> names = new LinkedHashSet<>(List.of(next)); // an extra may be s_t itself
      for (String name : declared.keySet()) {
        extras.put(name, out.extras().get(name).name());
        names.add(out.extras().get(name).name());
      }
      outputs = names.toArray(String[]::new);
      // L = Σ gNext ⊙ s_t + Σ gExtra ⊙ extra, as non-scalar loss variables: SameDiff seeds each
      // with ones, which saves a reduction and its gradient per term.
      List<SDVariable> losses = new ArrayList<>();
      losses.add(out.next().mul(sd.placeHolder(G_NEXT, type, -1, s)));
      for (String name : variant.gradientExtras()) {
        SDVariable g = sd.placeHolder(G_EXTRA + name, type, -1, declared.get(name));
        losses.add(out.extras().get(name).mul(g));
      }
      sd.setLossVariables(losses.toArray(SDVariable[]::new));
      createGradientFunction();
    }

    /** The placeholders of the forward step. */
    Map<String, INDArray> feed(INDArray previous, INDArray input, INDArray drive) {
      Map<String, INDArray> feed = new HashMap<>();
      feed.put(PREVIOUS, previous);
      feed.put(INPUT, input);
      if (drive != null) {
        feed.put(DRIVE, drive);
      }
      return feed;
    }

    /** Rebinds a parameter whose array was replaced (in-place updates need nothing). */
    void bind() {
      for (Parameter p : parameters()) {
        if (sd.getArrForVarName(p.name()) != p.value()) {
          sd.associateArrayWithVariable(p.value(), p.name());
        }
      }
    }

    /**
     * Builds the gradient function, with gradients for the state and input placeholders too.
     * SameDiff M2.1 prints a line per operation to System.out while it does: those lines are
     * dropped, anything else printed meanwhile (by another thread) is passed on afterwards.
     */
    private void createGradientFunction() {
      synchronized (STDOUT_LOCK) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Charset charset = Charset.defaultCharset();
        System.setOut(new PrintStream(captured, true, charset));
        try {
          sd.createGradFunction(PREVIOUS, INPUT);
        } finally {
          System.setOut(original);
          captured
              .toString(charset)
              .lines()
              .filter(line -> !line.startsWith(GRADIENT_CHATTER))
              .forEach(original::println);
        }
      }
    }
  }

  /** Names the cell in messages. */
  private String name() {
    String simple = getClass().getSimpleName(); // empty for an anonymous class
    return simple.isEmpty() ? getClass().getName() : simple;
  }

  /** The data type of every parameter. */
  private DataType dataType() {
    List<Parameter> params = parameters();
    if (params.isEmpty()) {
      throw new IllegalStateException(name() + " has no parameters");
    }
    DataType type = params.get(0).value().dataType();
    for (Parameter p : params) {
      if (p.value().dataType() != type) {
        throw new IllegalStateException(
            name()
                + ": parameter '"
                + p.name()
                + "' is "
                + p.value().dataType()
                + ", '"
                + params.get(0).name()
                + "' is "
                + type);
      }
    }
    return type;
  }

  /** A dense C-order array: SameDiff's own result, or a copy when it is a view. */
  private static INDArray dense(INDArray a) {
    return a.offset() == 0 && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
        ? a
        : a.dup('c');
  }

  /** A gradient SameDiff returned, or zeros when the step does not depend on that argument. */
  private static INDArray gradientOrZeros(INDArray gradient, INDArray argument) {
    return gradient == null ? Nd4j.zeros(argument.dataType(), argument.shape()) : dense(gradient);
  }
}
