package engram.bench;

import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.core.cli.CommandContext;
import engram.core.step.FixedBatchTrainer;
import engram.core.step.StepObserver;
import engram.core.step.StepObserver.Phase;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engram bench}: milliseconds per full training step of core's real trainer (forward, heads
 * and cross-entropy, BPTT, clip 2.0, SGD lr 0.05 momentum 0.1 Nesterov) on a fixed batch of fixed
 * length with one last-step target per head, float32, one thread; optionally the PyTorch reference
 * on the same shapes, the memory footprint over many steps and the throughput of independent runs
 * side by side. Steps run through {@link CommandContext#fixedBatchTrainer} and are timed by a
 * {@link StepTimer}, the trainer's {@link StepObserver}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure ms per training step (forward, backward, clip, SGD update) of the"
          + " models on the class path, on fixed batches, float32, one thread.",
      "Shapes: S = H 128, B 64, T 50, 1 head; M = H 256, B 128, T 100, 1 head;"
          + " L = H 500, B 256, T 100, 29 heads; or H:B:T:HEADS.",
      "Default plan: leaky-rnn on S, M, L; gru and lstm on M."
    })
public final class BenchCommand implements Callable<Integer> {
  /** The columns of the timing CSV. */
  public static final List<String> COLUMNS =
      List.of(
          "machine",
          "shape",
          "model",
          "H",
          "B",
          "T",
          "heads",
          "median_ms",
          "p25_ms",
          "p75_ms",
          "min_ms",
          "max_ms",
          "repeats",
          "steps",
          "ratio_to_pytorch",
          "ratio_p25",
          "ratio_p75",
          "ratio_min",
          "ratio_max",
          "inputs_ms",
          "forward_ms",
          "loss_ms",
          "backward_ms",
          "update_ms",
          "matmul_floor_ms");

  /** The columns of the memory CSV. */
  public static final List<String> MEMORY_COLUMNS =
      List.of(
          "machine",
          "shape",
          "model",
          "steps",
          "peak_heap_mb",
          "quantity",
          "peak_mb",
          "first_third_mb",
          "last_third_mb",
          "flat");

  /** The columns of the parallel-throughput CSV. */
  public static final List<String> PARALLEL_COLUMNS =
      List.of(
          "machine",
          "shape",
          "model",
          "jobs",
          "steps_per_job",
          "threads",
          "wall_s",
          "runs_per_hour");

  static final String TORCH_MODEL = "pytorch-leaky-rnn";
  static final String LEAKY = "leaky-rnn";

  /** Steps the reference script times (after 3 warm-ups); fixed in the script. */
  static final int TORCH_STEPS = 10;

  @Option(
      names = "--shapes",
      split = ",",
      paramLabel = "S|M|L|H:B:T:HEADS",
      description = "Shapes to measure (default: S,M,L for leaky-rnn, M for gru and lstm).")
  List<String> shapes;

  @Option(
      names = "--models",
      split = ",",
      paramLabel = "ID",
      description = "Models to measure (default: leaky-rnn,gru,lstm).")
  List<String> models;

  @Option(
      names = "--steps",
      defaultValue = "10",
      description = "Timed steps per repeat (default 10).")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Untimed steps before them, per repeat (default 3).")
  int warmup;

  @Option(
      names = "--repeats",
      defaultValue = "5",
      description =
          "Repeats per shape, each on a fresh network; the spread is over repeats"
              + " (default 5).")
  int repeats;

  @Option(
      names = "--out",
      defaultValue = "bench.csv",
      paramLabel = "FILE",
      description =
          "Timing CSV (default bench.csv); memory and parallel results go next to it as"
              + " <name>-memory.csv and <name>-parallel.csv.")
  Path out;

  @Option(
      names = "--torch",
      description =
          "Also run the PyTorch reference on the leaky-rnn shapes"
              + " (same repeats) and report Engram/PyTorch.")
  boolean torch;

  @Option(
      names = "--reference",
      paramLabel = "PATH",
      description =
          "The reference script (default: ../shared/reference/"
              + TorchReference.SCRIPT
              + " next to the repository).")
  Path reference;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      paramLabel = "PATH",
      description = "Python with torch for --torch (default /usr/bin/python3).")
  Path python;

  @Option(
      names = "--install-torch",
      description =
          "Run bench/install-torch.sh (apt-get install python3-torch) when torch is missing.")
  boolean installTorch;

  @Option(
      names = "--memory-shape",
      defaultValue = "L",
      paramLabel = "SHAPE",
      description =
          "Shape whose memory footprint is tracked when leaky-rnn is measured on it"
              + " (default L).")
  String memoryShape;

  @Option(
      names = "--memory-steps",
      defaultValue = "50",
      paramLabel = "N",
      description = "Steps of the footprint run (default 50; 0 = off).")
  int memorySteps;

  @Option(
      names = "--parallel",
      description =
          "Also measure runs per hour of independent"
              + " single-threaded jobs, one after another vs side by side.")
  boolean parallel;

  @Option(
      names = "--parallel-jobs",
      defaultValue = "4",
      paramLabel = "K",
      description = "Jobs for --parallel (default 4).")
  int parallelJobs;

  // Long enough (about 1 s of S) that thread start-up and JIT warm-up do not decide the
  // comparison, as they did at 20 steps (docs/perf/code-measurements.md).
  @Option(
      names = "--parallel-steps",
      defaultValue = "200",
      paramLabel = "N",
      description = "Training steps per job for --parallel (default 200).")
  int parallelSteps;

  @Option(
      names = "--parallel-threads",
      defaultValue = "2",
      paramLabel = "N",
      description = "Jobs side by side for --parallel (default 2).")
  int parallelThreads;

  @Option(
      names = "--parallel-shape",
      defaultValue = "S",
      paramLabel = "SHAPE",
      description = "Shape of the --parallel jobs (default S).")
  String parallelShape;

  @Option(
      names = "--machine",
      paramLabel = "NAME",
      description = "Machine name for the CSV (default: CPU model and core count).")
  String machine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private final CommandContext context;

  /** The command of one invocation, asking {@code context} for plugins and trainers. */
  BenchCommand(CommandContext context) {
    this.context = context;
  }

  /**
   * One measured cell; {@code ratios} summarises Engram/PyTorch over the repeats, each repeat's
   * Engram median over the PyTorch median measured right after it (null without a reference);
   * {@code phases} holds the median ms of each {@link Phase} over all timed steps (empty for the
   * PyTorch reference, which reports totals only); {@code floorMs} is the leaky RNN's {@link
   * MatmulFloor} at the shape (NaN for other models and the reference).
   */
  record Row(
      String model,
      BenchShape shape,
      Summary summary,
      int steps,
      Summary ratios,
      double[] phases,
      double floorMs) {

    /** The median of the paired ratios, NaN without a reference. */
    double ratio() {
      return ratios == null ? Double.NaN : ratios.median();
    }
  }

  private record Cell(String model, BenchShape shape) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return bench(out, err);
    } catch (BenchException e) {
      err.println("error: " + e.getMessage());
      return e.code;
    } catch (BenchRuntimeException e) {
      BenchException cause = (BenchException) e.getCause();
      err.println("error: " + cause.getMessage());
      return cause.code;
    }
  }

  private int bench(PrintWriter out, PrintWriter err) throws BenchException {
    if (steps < 1
        || repeats < 1
        || warmup < 0
        || memorySteps < 0
        || parallelJobs < 1
        || parallelSteps < 1
        || parallelThreads < 1) {
      throw new BenchException(
          2,
          "--steps, --repeats, --parallel-* must be ≥ 1 and --warmup,"
              + " --memory-steps ≥ 0. Fix: pass positive counts.");
    }
    if (memorySteps > 0 && memorySteps < 3) {
      throw new BenchException(
          2,
          "--memory-steps must be 0 (off) or ≥ 3 (was "
              + memorySteps
              + "). Fix: use e.g. --memory-steps 50.");
    }
    List<Cell> plan = plan();
    BenchShape memory = parse(memoryShape);
    BenchShape parallelS = parse(parallelShape);
    TorchReference reference = torch ? torchReference(out) : null;
    if (torch && plan.stream().noneMatch(c -> c.model().equals(LEAKY))) {
      out.println("note: --torch compares leaky-rnn only, which is not in --models");
    }
    if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
      err.println(
          "warning: OMP_NUM_THREADS is not 1; the numbers are not single-threaded. Fix:"
              + " run through ./engram, or export OMP_NUM_THREADS=1.");
    }
    String machineName = machine != null ? machine : Machine.describe();
    out.println(
        "machine: "
            + machineName
            + "; Java "
            + System.getProperty("java.version")
            + "; OMP_NUM_THREADS="
            + System.getenv("OMP_NUM_THREADS"));
    out.printf(
        "ms per training step: median over %d repeats of the median of %d steps after %d"
            + " warm-up steps%n",
        repeats, steps, warmup);
    out.flush();

    List<Row> rows = new ArrayList<>();
    Map<BenchShape, Row> torchRows = new LinkedHashMap<>();
    for (Cell cell : plan) {
      // PyTorch runs right after each Engram repeat (once per shape, with leaky-rnn), so each
      // ratio compares two measurements taken under the same load on this noisy machine.
      boolean paired =
          reference != null && cell.model().equals(LEAKY) && !torchRows.containsKey(cell.shape());
      double[] torchMedians = new double[repeats];
      double[] ratios = new double[repeats];
      double[] medians = new double[repeats];
      int phaseCount = Phase.values().length;
      double[][] phaseMs = new double[phaseCount][repeats * steps];
      for (int r = 0; r < repeats; r++) {
        StepTimer times = new StepTimer(warmup + steps);
        trainer(cell.model(), cell.shape(), times)
            .train(
                fixedBatch(cell.shape()),
                stage(cell.shape().heads()),
                warmup + steps,
                times::stepEnded);
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
          ms[i] = times.total(warmup + i) / 1e6;
          for (int p = 0; p < phaseCount; p++) {
            phaseMs[p][r * steps + i] = times.phase(warmup + i, p) / 1e6;
          }
        }
        medians[r] = Summary.of(ms).median();
        if (paired) {
          torchMedians[r] = torchRepeat(reference, cell.shape());
          ratios[r] = Summary.ratio(medians[r], torchMedians[r]);
        }
      }
      double[] phases = new double[phaseCount];
      for (int p = 0; p < phaseCount; p++) {
        phases[p] = Summary.of(phaseMs[p]).median();
      }
      Summary s = Summary.of(medians);
      Summary ratioSummary = null;
      if (paired) {
        Row t =
            new Row(
                TORCH_MODEL,
                cell.shape(),
                Summary.of(torchMedians),
                TORCH_STEPS,
                null,
                new double[0],
                Double.NaN);
        torchRows.put(cell.shape(), t);
        ratioSummary = Summary.of(ratios);
        out.println(line(t));
      }
      double floor =
          cell.model().equals(LEAKY) ? MatmulFloor.millis(cell.shape(), repeats) : Double.NaN;
      Row row = new Row(cell.model(), cell.shape(), s, steps, ratioSummary, phases, floor);
      rows.add(row);
      out.println(line(row));
      out.println(phaseLine(phases));
      if (!Double.isNaN(floor)) {
        out.printf(
            Locale.ROOT,
            "  matmul floor: %.1f ms (the step's %.2f GFLOP of products alone"
                + " in OpenBLAS, %.0f GFLOP/s); the step takes %.2f× it%n",
            floor,
            MatmulFloor.flops(cell.shape()) / 1e9,
            MatmulFloor.flops(cell.shape()) / floor / 1e6,
            s.median() / floor);
      }
      out.flush();
    }
    rows.addAll(torchRows.values());
    write(out, this.out, COLUMNS, rows.stream().map(r -> csv(machineName, r)).toList());

    if (memorySteps > 0 && plan.contains(new Cell(LEAKY, memory))) {
      footprint(out, machineName, memory);
    } else if (memorySteps > 0) {
      out.println(
          "memory: not measured (leaky-rnn is not benchmarked on --memory-shape "
              + memory.name()
              + " in this invocation)");
    }
    if (parallel) {
      throughput(out, machineName, parallelS);
    }
    return 0;
  }

  /** The cells to measure, in order: each model with the chosen (or its default) shapes. */
  private List<Cell> plan() throws BenchException {
    List<String> ids =
        models == null
            ? List.of(LEAKY, "gru", "lstm")
            : models.stream().map(String::strip).filter(m -> !m.isEmpty()).distinct().toList();
    List<String> known = context.modelIds();
    for (String id : ids) {
      if (!known.contains(id)) {
        throw new BenchException(
            2,
            "unknown model '"
                + id
                + "'. Fix: use one of "
                + String.join(", ", known)
                + " (./engram plugins lists them).");
      }
    }
    List<BenchShape> chosen = null;
    if (shapes != null) {
      chosen = new ArrayList<>();
      for (String s : shapes) {
        BenchShape shape = parse(s);
        if (!chosen.contains(shape)) {
          chosen.add(shape);
        }
      }
    }
    List<Cell> plan = new ArrayList<>();
    for (String id : ids) {
      List<BenchShape> forModel =
          chosen != null
              ? chosen
              : id.equals(LEAKY)
                  ? List.of(BenchShape.S, BenchShape.M, BenchShape.L)
                  : List.of(BenchShape.M);
      forModel.forEach(shape -> plan.add(new Cell(id, shape)));
    }
    return plan;
  }

  private static BenchShape parse(String spec) throws BenchException {
    try {
      return BenchShape.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new BenchException(2, e.getMessage());
    }
  }

  private TorchReference torchReference(PrintWriter out) throws BenchException {
    Path repo = repository();
    Path script = TorchReference.locate(reference, repo);
    if (script == null) {
      throw new BenchException(
          2,
          "the PyTorch reference script "
              + (reference != null
                  ? reference + " does not exist"
                  : TorchReference.SCRIPT
                      + " was not found in "
                      + (repo != null
                          ? repo.resolve("../shared/reference").normalize() + " or "
                          : "")
                      + Path.of("../shared/reference").toAbsolutePath().normalize())
              + ". Fix: pass --reference PATH to "
              + TorchReference.SCRIPT
              + ", or leave out --torch.");
    }
    if (!TorchReference.hasTorch(python)) {
      Path installer = (repo != null ? repo : Path.of("")).resolve("bench/install-torch.sh");
      if (!installTorch) {
        throw new BenchException(
            2,
            python
                + " cannot import torch. Fix: run "
                + installer
                + " (apt-get install python3-torch), or add --install-torch, or pass --python PATH"
                + " to a Python with torch.");
      }
      out.println("torch is missing: running " + installer);
      out.flush();
      try {
        int code = new ProcessBuilder("bash", installer.toString()).inheritIO().start().waitFor();
        if (code != 0 || !TorchReference.hasTorch(python)) {
          throw new BenchException(
              1,
              installer
                  + " did not make torch importable for "
                  + python
                  + " (exit "
                  + code
                  + "). Fix: install python3-torch by hand (sudo apt-get install"
                  + " python3-torch).");
        }
      } catch (IOException e) {
        throw new BenchException(
            1,
            "cannot run "
                + installer
                + ": "
                + e.getMessage()
                + ". Fix: install python3-torch by hand (sudo apt-get install python3-torch).");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException(130, "interrupted while installing torch.");
      }
    }
    TorchReference found = new TorchReference(python, script);
    String blas = found.blas();
    out.println("PyTorch reference: " + script + " with " + python + " (BLAS: " + blas + ")");
    if (blas.equals("reference")) {
      spec.commandLine()
          .getErr()
          .println(
              "warning: PyTorch does its matrix products with the reference BLAS (libblas3),"
                  + " several times slower than OpenBLAS, so Engram/PyTorch flatters Engram. Fix:"
                  + " run "
                  + (repo != null ? repo : Path.of("")).resolve("bench/install-torch.sh")
                  + " (installs libopenblas0-pthread).");
    }
    return found;
  }

  /** One PyTorch repeat: its median ms per step for {@code shape}. */
  private static double torchRepeat(TorchReference reference, BenchShape shape) {
    try {
      return reference.msPerStep(shape);
    } catch (IOException e) {
      throw new BenchRuntimeException(
          new BenchException(
              1, e.getMessage() + ". Fix: check that " + reference.script() + " runs by hand."));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchRuntimeException(new BenchException(130, "interrupted."));
    }
  }

  /** The repository root when started by the launcher ({@code -Dengram.plugins=<repo>/plugins}). */
  private static Path repository() {
    String plugins = System.getProperty("engram.plugins");
    if (plugins != null) {
      Path parent = Path.of(plugins).toAbsolutePath().getParent();
      if (parent != null) {
        return parent;
      }
    }
    return Path.of("").toAbsolutePath();
  }

  private void footprint(PrintWriter out, String machineName, BenchShape shape)
      throws BenchException {
    out.printf(
        "memory: leaky-rnn %s (%s), %d steps, heap after a full GC per step ...%n",
        shape.name(), shape.describe(), memorySteps);
    out.flush();
    FixedBatchTrainer trainer = trainer(LEAKY, shape, StepObserver.NONE);
    Footprint footprint = new Footprint();
    System.gc();
    footprint.start();
    trainer.train(fixedBatch(shape), stage(shape.heads()), memorySteps, i -> footprint.sample());
    double peakHeap = Footprint.peakHeapBytes();
    List<String> lines = new ArrayList<>();
    Map<String, Footprint.Series> series = new LinkedHashMap<>();
    series.put("heap", footprint.heap());
    series.put("physical", footprint.physical());
    series.put("javacpp", footprint.javacpp());
    out.printf(Locale.ROOT, "  peak heap (pools): %.0f MB%n", mb(peakHeap));
    String[] labels = {
      "heap in use after GC", "resident (Pointer.physicalBytes)", "native ND4J (Pointer.totalBytes)"
    };
    int i = 0;
    for (Map.Entry<String, Footprint.Series> e : series.entrySet()) {
      Footprint.Series s = e.getValue();
      out.printf(
          Locale.ROOT,
          "  %-34s peak %7.0f MB, first third %7.0f MB, last third %7.0f MB:" + " %s%n",
          labels[i++],
          mb(s.peak()),
          mb(s.firstThird()),
          mb(s.lastThird()),
          s.flat() ? "flat" : "GROWS");
      lines.add(
          String.join(
              ",",
              esc(machineName),
              esc(shape.name()),
              LEAKY,
              String.valueOf(memorySteps),
              fmt(mb(peakHeap)),
              e.getKey(),
              fmt(mb(s.peak())),
              fmt(mb(s.firstThird())),
              fmt(mb(s.lastThird())),
              String.valueOf(s.flat())));
    }
    write(out, sibling("memory"), MEMORY_COLUMNS, lines);
  }

  private void throughput(PrintWriter out, String machineName, BenchShape shape)
      throws BenchException {
    out.printf(
        "parallel: %d jobs of leaky-rnn %s (%s), %d steps each, one thread each%n",
        parallelJobs, shape.name(), shape.describe(), parallelSteps);
    out.flush();
    // one job untimed first, so both arms start warm
    trainer(LEAKY, shape, StepObserver.NONE)
        .train(fixedBatch(shape), stage(shape.heads()), Math.min(parallelSteps, 3), i -> {});
    double sequential = wallSeconds(shape, 1);
    double sideBySide = wallSeconds(shape, parallelThreads);
    double perHour1 = parallelJobs * 3600.0 / sequential;
    double perHourK = parallelJobs * 3600.0 / sideBySide;
    out.printf(Locale.ROOT, "  one after another: %.1f s, %.0f runs/hour%n", sequential, perHour1);
    out.printf(
        Locale.ROOT,
        "  %d side by side:   %.1f s, %.0f runs/hour (speed-up %.2f×)%n",
        parallelThreads,
        sideBySide,
        perHourK,
        perHourK / perHour1);
    List<String> lines = new ArrayList<>();
    for (double[] r :
        new double[][] {{1, sequential, perHour1}, {parallelThreads, sideBySide, perHourK}}) {
      lines.add(
          String.join(
              ",",
              esc(machineName),
              esc(shape.name()),
              LEAKY,
              String.valueOf(parallelJobs),
              String.valueOf(parallelSteps),
              String.valueOf((int) r[0]),
              fmt(r[1]),
              fmt(r[2])));
    }
    write(out, sibling("parallel"), PARALLEL_COLUMNS, lines);
  }

  private double wallSeconds(BenchShape shape, int threads) throws BenchException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int j = 0; j < parallelJobs; j++) {
        futures.add(
            pool.submit(
                () ->
                    trainer(LEAKY, shape, StepObserver.NONE)
                        .train(fixedBatch(shape), stage(shape.heads()), parallelSteps, i -> {})));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return (System.nanoTime() - t0) / 1e9;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException(130, "interrupted.");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new BenchException(1, "a parallel job failed: " + e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A trainer for {@code model} at {@code shape}: float32, batch B, clip 2.0, SGD lr 0.05, momentum
   * 0.1, Nesterov — the reference's settings — whose steps report to {@code observer}. The task
   * only fixes the input (1) and output (2) widths; the batch itself is {@link #fixedBatch}.
   */
  private FixedBatchTrainer trainer(String model, BenchShape shape, StepObserver observer) {
    String yaml =
        String.format(
            Locale.ROOT,
            """
            name: bench
            seed: 1
            precision: float32
            task: {id: n-parity}
            model: {id: %s, hidden-size: %d}
            curriculum: {id: multi-head}
            training:
              batch-size: %d
              steps-per-epoch: 1
              max-epochs: 1
              clip: 2.0
              optimizer: {type: sgd, lr: 0.05, momentum: 0.1, nesterov: true}
            """,
            model,
            shape.hidden(),
            shape.batch());
    try {
      return context.fixedBatchTrainer(yaml, observer);
    } catch (IllegalArgumentException e) {
      throw new BenchRuntimeException(new BenchException(2, e.getMessage()));
    }
  }

  /**
   * T steps of Bernoulli(0.5) bits for B sequences (seeded), and one classification target per head
   * (levels 2, 3, …), random labels, scored at the last step only — the reference's batch.
   */
  static Batch fixedBatch(BenchShape shape) {
    SplittableRandom rng = new SplittableRandom(0);
    int t = shape.steps();
    int b = shape.batch();
    float[] x = new float[t * b];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextBoolean() ? 1f : 0f;
    }
    List<Target> targets = new ArrayList<>();
    for (int k = 0; k < shape.heads(); k++) {
      float[] labels = new float[t * b];
      float[] mask = new float[t * b];
      for (int s = 0; s < b; s++) {
        labels[(t - 1) * b + s] = rng.nextInt(2);
        mask[(t - 1) * b + s] = 1f;
      }
      targets.add(new Target(k + 2, LossKind.CLASSIFICATION, 2, labels, mask));
    }
    return new Batch(t, b, 1, x, targets);
  }

  /** Levels 2 … heads+1 on heads 0 … heads−1. */
  static Stage stage(int heads) {
    List<Assignment> assignments = new ArrayList<>();
    for (int k = 0; k < heads; k++) {
      assignments.add(new Assignment(k + 2, k));
    }
    return new Stage(assignments);
  }

  private static String line(Row r) {
    String text =
        String.format(
            Locale.ROOT,
            "%-18s %-3s (%s): %s",
            r.model(),
            r.shape().name(),
            r.shape().describe(),
            r.summary().describe());
    if (r.ratios() != null) {
      Summary q = r.ratios();
      text +=
          String.format(
              Locale.ROOT,
              "; Engram/PyTorch %.2f (paired repeats: IQR %.2f–%.2f," + " min–max %.2f–%.2f)",
              q.median(),
              q.p25(),
              q.p75(),
              q.min(),
              q.max());
    }
    return text;
  }

  private static String csv(String machineName, Row r) {
    Summary s = r.summary();
    BenchShape shape = r.shape();
    return String.join(
        ",",
        esc(machineName),
        esc(shape.name()),
        r.model(),
        String.valueOf(shape.hidden()),
        String.valueOf(shape.batch()),
        String.valueOf(shape.steps()),
        String.valueOf(shape.heads()),
        fmt(s.median()),
        fmt(s.p25()),
        fmt(s.p75()),
        fmt(s.min()),
        fmt(s.max()),
        String.valueOf(s.count()),
        String.valueOf(r.steps()),
        ratioField(r, Summary::median),
        ratioField(r, Summary::p25),
        ratioField(r, Summary::p75),
        ratioField(r, Summary::min),
        ratioField(r, Summary::max),
        phase(r, Phase.INPUTS),
        phase(r, Phase.FORWARD),
        phase(r, Phase.LOSS),
        phase(r, Phase.BACKWARD),
        phase(r, Phase.UPDATE),
        Double.isNaN(r.floorMs()) ? "" : fmt(r.floorMs()));
  }

  private static String ratioField(Row r, java.util.function.ToDoubleFunction<Summary> part) {
    return r.ratios() == null ? "" : fmt(part.applyAsDouble(r.ratios()));
  }

  private static String phase(Row r, Phase p) {
    return r.phases().length == 0 ? "" : fmt(r.phases()[p.ordinal()]);
  }

  /** " phases (median ms): inputs 0.05, forward 3.10, ..." in {@link Phase} order. */
  static String phaseLine(double[] phases) {
    StringBuilder line = new StringBuilder("  phases (median ms):");
    Phase[] all = Phase.values();
    for (int p = 0; p < all.length; p++) {
      line.append(p == 0 ? " " : ", ")
          .append(all[p].name().toLowerCase(Locale.ROOT))
          .append(' ')
          .append(String.format(Locale.ROOT, "%.2f", phases[p]));
    }
    return line.toString();
  }

  private Path sibling(String suffix) {
    Path file = out.getFileName();
    String name = file == null ? "bench.csv" : file.toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return out.resolveSibling(stem + "-" + suffix + ".csv");
  }

  private static void write(PrintWriter out, Path file, List<String> columns, List<String> lines)
      throws BenchException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      List<String> all = new ArrayList<>();
      all.add(String.join(",", columns));
      all.addAll(lines);
      Files.write(file, all, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BenchException(
          1, "cannot write " + file + ": " + e.getMessage() + ". Fix: pass a writable --out FILE.");
    }
    out.println("wrote " + file);
    out.flush();
  }

  private static double mb(double bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  /** Quotes a CSV field when it holds a comma or a quote. */
  static String esc(String field) {
    if (field.contains(",") || field.contains("\"")) {
      return "\"" + field.replace("\"", "\"\"") + "\"";
    }
    return field;
  }

  /** A user-facing failure: one line, and the exit code. */
  static final class BenchException extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    BenchException(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** Carries a {@link BenchException} out of a lambda. */
  static final class BenchRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchRuntimeException(BenchException cause) {
      super(cause);
    }
  }

  /** The CPU model and core count from /proc/cpuinfo, for the CSV's machine column. */
  static final class Machine {
    private Machine() {}

    static String describe() {
      String model = "unknown CPU";
      try {
        model =
            Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst()
                .orElse(model);
      } catch (IOException | RuntimeException ignored) {
        // not Linux: keep the placeholder
      }
      int cores = Runtime.getRuntime().availableProcessors();
      return model + " x" + cores;
    }
  }
}
