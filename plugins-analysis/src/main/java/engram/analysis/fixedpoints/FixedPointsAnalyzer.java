package engram.analysis.fixedpoints;

import engram.analysis.abrupt.AbruptLearningAnalyzer;
import engram.analysis.common.Outputs;
import engram.analysis.common.Simulation;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.api.Analyzer;
import engram.api.Cell;
import engram.api.Network;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import engram.api.task.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fixed points, ghosts and slow points of each analysed checkpoint's one-step map, tracked across
 * checkpoints (spec memory-geometry §8; Sussillo &amp; Barak 2013; the ghost mechanism).
 *
 * <p>For one checkpoint: a batch of {@code trials} sequences of the task at the checkpoint's
 * largest level comes from {@link Run#sample} with {@code run.random("batch")}; the restored
 * network's cell runs over it step by step from an initial state drawn from {@code
 * run.random("h0")}, keeping the full state s_t {@code [S]} (an LSTM's [h | c]) of every step and
 * sequence. The map is F(s) = cell.step(s, u*) with u* = 0 ({@code input: zero}) or the mean input
 * of the batch over steps and sequences ({@code input: mean}). Every checkpoint draws from
 * generators of the same names, so a repeated analysis gives the same numbers.
 *
 * <p>Two searches ({@code method}):
 *
 * <ul>
 *   <li>{@code fixed-points} (default): {@link FastFixedPointFinder} (the options of
 *       mattgolub/fixed-point-finder, Newton from q = 1e-9 on, slow points resolved to their own
 *       step length) from {@code initial-states} trajectory states plus N(0, noise²) noise ({@code
 *       run.random("initial-states")});
 *   <li>{@code batched}: {@link BatchedFixedPointFinder}, the same starts, Adam to the arithmetic's
 *       floor and slow points kept one per {@code unique-tol} (slower);
 *   <li>{@code speed}: {@link SpeedSolver} (the ghost-mechanism code) from every trajectory state,
 *       one Newton step on the speed, de-duplication at {@code projection-tol} in the common PCA
 *       projection.
 * </ul>
 *
 * Every point found is then fixed, ghost or slow by {@link GhostTest} ({@code gradient-tol}, {@code
 * hessian-tol}), and stable, saddle or unstable by the eigenvalues of its Jacobian.
 *
 * <p>Common PCA: one basis fitted on the trajectory states of all analysed checkpoints pooled
 * (centred on their mean), so frames are comparable; pc1..pc3 of both tables and the figures are in
 * it. Tracking: {@link PointTracker} matches the points of consecutive analysed checkpoints in
 * state space ({@code track-distance}).
 *
 * <p>Checkpoints: {@code steps} (names or optimizer steps) when given, else {@code checkpoints}:
 * {@code last}, {@code all}, or {@code around-drop}: the checkpoints at the middle of the loss
 * plateau, the last before t_drop, the first after the fall, the first after a later drop and the
 * last, read from the run's {@code abrupt-learning} tables (rules in {@link AroundDrop}; {@code
 * abrupt-learning} must have run first). {@code checkpoints.csv} says which checkpoint stands for
 * which moment and why.
 *
 * <p>Outputs: {@code fixed-points.csv} (see {@link #TABLE}), {@code fixed-points-summary.csv} (see
 * {@link #SUMMARY}), {@code ghost-tracks.csv} (see {@link #TRACKS}), {@code checkpoints.csv} (see
 * {@link #CHOSEN}), and unless {@code figures: false} {@code fixed-points.png} (per checkpoint one
 * panel: trajectories and points in the PC1–PC2 plane, one colour per class, the same axes in every
 * panel) and, when {@code landscape-grid} &gt; 0, {@code speed-landscape.png} (per checkpoint log10
 * q on a grid of the PC1–PC2 plane through the mean, for S ≥ 2).
 */
public final class FixedPointsAnalyzer implements Analyzer<FixedPointsAnalyzer.Config> {

  static final String ID = "fixed-points";
  static final String PNG = "fixed-points.png";
  static final String LANDSCAPE_PNG = "speed-landscape.png";

  private static final ColumnSpec PC1 =
      ColumnSpec.number(
          "pc1",
          "state units",
          "coordinate on the first principal component of the trajectory states of all analysed"
              + " checkpoints (one common basis)");
  private static final ColumnSpec PC2 =
      ColumnSpec.number("pc2", "state units", "on the second component (NaN when S < 2)");
  private static final ColumnSpec PC3 =
      ColumnSpec.number("pc3", "state units", "on the third component (NaN when S < 3)");

  /** {@code fixed-points.csv}: one row per distinct point, by checkpoint then increasing q. */
  static final TableSpec TABLE =
      TableSpec.of(
          "fixed-points.csv",
          "per analysed checkpoint (oldest first) one row per distinct fixed, ghost or slow point,"
              + " by increasing q",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("point", "", "index of the point within the checkpoint, 0 = lowest q"),
          ColumnSpec.number("q", "", "speed q = ½‖F(s) − s‖² at the point"),
          ColumnSpec.text(
              "kind",
              "fixed (q at the tolerance), ghost (a strict local minimum of q above it: converged"
                  + " gradient, positive definite Hessian) or slow (neither)"),
          ColumnSpec.text(
              "class",
              "stable (no |λ| > 1), saddle or unstable (every |λ| > 1), from"
                  + " the eigenvalues λ of the Jacobian of the discrete map"),
          ColumnSpec.integer("unstable", "eigenvalues", "how many |λ| exceed 1"),
          ColumnSpec.number("leading_modulus", "", "largest |λ|"),
          PC1,
          PC2,
          PC3);

  /**
   * {@code fixed-points-summary.csv}: one row per analysed checkpoint, how many points of each kind
   * and class; what a study reads.
   */
  static final TableSpec SUMMARY =
      TableSpec.of(
          "fixed-points-summary.csv",
          "per analysed checkpoint (oldest first) the number of fixed points by class and of ghosts"
              + " and slow points",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("stable", "points", "fixed points with no |λ| > 1 (attractors)"),
          ColumnSpec.integer("saddle", "points", "fixed points with some |λ| > 1 and some not"),
          ColumnSpec.integer("unstable", "points", "fixed points with every |λ| > 1"),
          ColumnSpec.integer(
              "ghost", "points", "ghosts: strict local minima of q above the fixed tolerance"),
          ColumnSpec.integer("slow", "points", "slow points: neither fixed nor ghost"),
          ColumnSpec.integer("points", "points", "rows of fixed-points.csv for this checkpoint"));

  /** {@code ghost-tracks.csv}: the points followed across checkpoints. */
  static final TableSpec TRACKS =
      TableSpec.of(
          "ghost-tracks.csv",
          "per analysed checkpoint (oldest first) one row per tracked point, by track: when a"
              + " point appears, changes kind (e.g. a ghost becomes a fixed point) or disappears",
          ColumnSpec.integer("track", "", "id of the track, in order of appearance from 0"),
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.text(
              "event",
              "appears, continues, becomes-fixed, becomes-ghost, becomes-slow, or disappears (the"
                  + " track has no point at this checkpoint)"),
          ColumnSpec.text("kind", "fixed, ghost or slow (the last kind when it disappears)"),
          ColumnSpec.text("class", "stable, saddle or unstable; none when it disappears"),
          ColumnSpec.integer(
              "point", "", "the point's index in fixed-points.csv at this checkpoint, −1 if none"),
          ColumnSpec.number("q", "", "speed at the point (NaN when it disappears)"),
          PC1,
          PC2,
          PC3);

  /**
   * {@code checkpoints.csv}: which analysed checkpoint stands for which moment of training, and
   * why; what a study reads to find "before the drop" and "after the drop".
   */
  static final TableSpec CHOSEN =
      TableSpec.of(
          "checkpoints.csv",
          "one row per role (a checkpoint may play several): the analysed checkpoint, its step and"
              + " the rule that chose it",
          ColumnSpec.text(
              "role",
              "with checkpoints: around-drop, plateau, before-drop, after-drop, after-last-drop or"
                  + " end (rules in the analyzer's javadoc); with last: end; with all or steps:"
                  + " listed"),
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number(
              "step",
              "steps",
              "optimizer step of the checkpoint, as abrupt-learning places it (NaN: unknown)"),
          ColumnSpec.text("rule", "why this checkpoint, one sentence"));

  /** Which checkpoints are analysed (unless {@code steps} names them). */
  public enum Selection {
    /** The newest checkpoint. */
    LAST,
    /** Every checkpoint, oldest first. */
    ALL,
    /** Plateau, before and after the drop(s), end: from the run's abrupt-learning tables. */
    AROUND_DROP
  }

  /** The constant input u* of the map. */
  public enum InputChoice {
    /** u* = 0. */
    ZERO,
    /** u* = the mean input of the sampled batch. */
    MEAN
  }

  /** How points are searched. */
  public enum Method {
    /** {@link FastFixedPointFinder} from noisy trajectory states. */
    FIXED_POINTS,
    /**
     * {@link BatchedFixedPointFinder} from noisy trajectory states: Adam to the arithmetic's floor,
     * slow points kept one per {@code unique-tol} (the behaviour before {@link
     * FastFixedPointFinder}; several times slower on trained networks).
     */
    BATCHED,
    /** {@link SpeedSolver} from every trajectory state. */
    SPEED
  }

  /**
   * @param checkpoints which checkpoints
   * @param method the search
   * @param trials sequences whose states seed the search
   * @param input u*
   * @param initialStates starting points of the fixed-points search
   * @param noise standard deviation added to the starting points
   * @param maxIterations Adam iterations
   * @param learningRate Adam's initial rate
   * @param tolQ stopping q
   * @param newtonIterations refinement iterations
   * @param maxQ largest q reported
   * @param uniqueTol de-duplication distance of the fixed-points search
   * @param outlierScale outlier distance in medians
   * @param projectionTol de-duplication distance of the speed search, in the PCA projection
   * @param gradientTol ghost test: largest ‖∇q‖/‖F(s) − s‖
   * @param hessianTol ghost test: smallest λ_min/λ_max of the Hessian of q
   * @param trackDistance largest state-space distance of a match between checkpoints
   * @param landscapeGrid points per axis of the speed landscape, 0 for none
   * @param steps checkpoints by name or optimizer step (overrides {@code checkpoints}), or empty
   * @param figures whether to draw the figures
   */
  public record Config(
      @Doc(
              "checkpoints to analyse: last, all, or around-drop (plateau middle, last before"
                  + " t_drop, first after the fall, first after a later drop, last; needs"
                  + " abrupt-learning to have run first)")
          Selection checkpoints,
      @Doc(
              "fixed-points (Adam + Newton from noisy trajectory states) or speed (ghost-mechanism:"
                  + " from every trajectory state, one Newton step, PCA de-duplication)")
          Method method,
      @Doc("sequences of the task sampled for trajectory states, ≥ 1") int trials,
      @Doc("the constant input u* of the map: zero or mean (of the sampled inputs)")
          InputChoice input,
      @Doc(
              "starting points of the fixed-points search, ≥ 1 (default 256; 1024 in"
                  + " fixed-point-finder; 128 found the same points on a trained DMTS network)")
          int initialStates,
      @Doc("standard deviation of the Gaussian noise added to each starting state, ≥ 0")
          double noise,
      @Doc("Adam iterations at most, ≥ 0") int maxIterations,
      @Doc("Adam's initial and largest learning rate, > 0; halved after a step that raises q")
          double learningRate,
      @Doc("q = ½‖F(s) − s‖² at which a search stops and a point counts as fixed, ≥ 0") double tolQ,
      @Doc("Newton (Levenberg–Marquardt) refinement iterations, ≥ 0") int newtonIterations,
      @Doc("points whose final q exceeds this are not reported, ≥ 0") double maxQ,
      @Doc("fixed-points search: points closer than this (Euclidean, state units) are one, ≥ 0")
          double uniqueTol,
      @Doc(
              "points farther from the starting states' centroid than this many medians of their"
                  + " distance to it are outliers, > 0")
          double outlierScale,
      @Doc("speed search: points closer than this in the (pc1, pc2, pc3) projection are one, ≥ 0")
          double projectionTol,
      @Doc("ghost test: a ghost has ‖∇q‖ ≤ this × ‖F(s) − s‖, > 0") double gradientTol,
      @Doc(
              "ghost test: a ghost's Hessian of q has every eigenvalue > this × the largest"
                  + " |eigenvalue| (0: positive definite), in [0, 1)")
          double hessianTol,
      @Doc(
              "points of consecutive checkpoints closer than this (Euclidean, state units) are one"
                  + " tracked point, > 0")
          double trackDistance,
      @Doc("points per axis of the speed landscape figure (log10 q on the PC1–PC2 plane), 0: none")
          int landscapeGrid,
      @Doc(
              "checkpoints to analyse by name (final, step-00001000) or optimizer step (1000 means"
                  + " step-00001000); empty: use checkpoints")
          List<String> steps,
      @Doc("draw fixed-points.png and speed-landscape.png (false saves ~1 s per run)")
          boolean figures) {
    public Config {
      steps = steps == null ? List.of() : List.copyOf(steps);
      Check.notNull("checkpoints", checkpoints);
      Check.notNull("method", method);
      Check.notNull("input", input);
      Check.atLeast("trials", trials, 1);
      Check.atLeast("initial-states", initialStates, 1);
      Check.atLeast("landscape-grid", landscapeGrid, 0);
      if (!(noise >= 0) || Double.isInfinite(noise)) {
        throw new IllegalArgumentException("noise must be a finite number ≥ 0 (was " + noise + ")");
      }
      if (!(projectionTol >= 0)) {
        throw new IllegalArgumentException(
            "projection-tol must be ≥ 0 (was " + projectionTol + ")");
      }
      if (!(trackDistance > 0)) {
        throw new IllegalArgumentException(
            "track-distance must be > 0 (was " + trackDistance + ")");
      }
      new GhostTest(gradientTol, hessianTol);
      options(maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }

    private static FixedPointFinder.Options options(
        int maxIterations,
        double learningRate,
        double tolQ,
        int newtonIterations,
        double maxQ,
        double uniqueTol,
        double outlierScale) {
      return new FixedPointFinder.Options(
          maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }

    /** The finder's options. */
    FixedPointFinder.Options options() {
      return options(
          maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }

    /** The ghost test. */
    GhostTest ghostTest() {
      return new GhostTest(gradientTol, hessianTol);
    }
  }

  /** One checkpoint's trajectory states, map and the input u*. */
  record Sampled(Checkpoint checkpoint, double[][] states, StepMap map) {}

  /**
   * One checkpoint's result.
   *
   * @param checkpoint the checkpoint
   * @param trajectory its trajectory states in the common PCA coordinates
   * @param points the points by increasing q
   * @param kinds fixed, ghost or slow per point
   * @param coordinates pc1..pc3 per point
   * @param landscape log10 q on the landscape grid {@code [grid][grid]} (row = pc2), or null
   */
  record Found(
      Checkpoint checkpoint,
      double[][] trajectory,
      List<Point> points,
      GhostTest.Kind[] kinds,
      double[][] coordinates,
      double[][] landscape) {}

  public FixedPointsAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Fixed points, ghosts and slow points of the dynamics, tracked over training",
        "Minimises q = ½‖F(s, u*) − s‖² from states on the task's trajectories (Adam, then Newton;"
            + " or the ghost-mechanism speed solver), de-duplicates, tells fixed points, ghosts and"
            + " slow points apart, classifies them by the eigenvalues of the Jacobian (stable,"
            + " saddle, unstable) and tracks them across checkpoints in one PCA basis. Writes"
            + " fixed-points.csv, fixed-points-summary.csv, ghost-tracks.csv, fixed-points.png and"
            + " speed-landscape.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        Selection.LAST,
        Method.FIXED_POINTS,
        16,
        InputChoice.ZERO,
        256,
        0.5,
        5000,
        1.0,
        1e-12,
        20,
        1.0,
        1e-3,
        10,
        0.1,
        1e-2,
        0,
        0.5,
        40,
        List.of(),
        true);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, TRACKS, SUMMARY, CHOSEN);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    PhaseClock clock = new PhaseClock();
    Run run = Simulation.run(context, ID);
    // <run-dir>/analysis/<id>/, as Analyzer.Context#outputDirectory promises
    Path analysisDirectory = context.outputDirectory().toAbsolutePath();
    Path runDirectory =
        analysisDirectory.getNameCount() >= 2
            ? analysisDirectory.getParent().getParent()
            : analysisDirectory;
    List<Role> roles = roles(config, context.checkpoints(), runDirectory);
    // Distinct, oldest first; by identity (a checkpoint's equals compares its tensors).
    List<Checkpoint> chosen =
        context.checkpoints().stream()
            .filter(c -> roles.stream().anyMatch(r -> r.checkpoint() == c))
            .toList();
    List<Sampled> sampled = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      sampled.add(sample(config, run, checkpoint));
    }
    List<double[]> pooled = new ArrayList<>();
    for (Sampled s : sampled) {
      pooled.addAll(Arrays.asList(s.states()));
    }
    Pca pca = Pca.fit(pooled.toArray(new double[0][]), 3);
    clock.lap("sampling and PCA (" + pooled.size() + " states)");
    List<Found> found = new ArrayList<>();
    for (Sampled s : sampled) {
      found.add(search(config, run, s, pca));
    }
    clock.lap("searches");
    Path out = context.outputDirectory();
    List<List<Object>> rows = new ArrayList<>();
    List<List<Object>> summary = new ArrayList<>();
    List<List<PointTracker.Tracked>> frames = new ArrayList<>();
    for (Found f : found) {
      summary.add(summaryRow(f));
      List<PointTracker.Tracked> frame = new ArrayList<>();
      for (int i = 0; i < f.points().size(); i++) {
        Point p = f.points().get(i);
        double[] c = f.coordinates()[i];
        rows.add(
            List.of(
                f.checkpoint().name(),
                f.checkpoint().epoch(),
                i,
                p.q(),
                f.kinds()[i].label(),
                p.stability().label(),
                p.unstableCount(),
                p.leadingModulus(),
                c[0],
                c[1],
                c[2]));
        frame.add(
            new PointTracker.Tracked(
                p.state(), p.q(), f.kinds()[i].label(), p.stability().label(), c));
      }
      frames.add(frame);
    }
    Outputs.writeCsv(out, TABLE, rows);
    Outputs.writeCsv(out, SUMMARY, summary);
    List<List<Object>> trackRows = new ArrayList<>();
    for (PointTracker.Row r : PointTracker.track(frames, config.trackDistance())) {
      Checkpoint checkpoint = found.get(r.frame()).checkpoint();
      if (r.point() < 0) {
        trackRows.add(
            List.of(
                r.track(),
                checkpoint.name(),
                checkpoint.epoch(),
                r.event(),
                r.kind(),
                "none",
                -1,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN));
      } else {
        PointTracker.Tracked p = frames.get(r.frame()).get(r.point());
        trackRows.add(
            List.of(
                r.track(),
                checkpoint.name(),
                checkpoint.epoch(),
                r.event(),
                r.kind(),
                p.stability(),
                r.point(),
                p.q(),
                p.pcs()[0],
                p.pcs()[1],
                p.pcs()[2]));
      }
    }
    Outputs.writeCsv(out, TRACKS, trackRows);
    List<List<Object>> roleRows = new ArrayList<>();
    for (Role r : roles) {
      roleRows.add(
          List.of(r.role(), r.checkpoint().name(), r.checkpoint().epoch(), r.step(), r.rule()));
    }
    Outputs.writeCsv(out, CHOSEN, roleRows);
    clock.lap("tracking and tables");
    // Panel titles name the roles of checkpoints.csv ("listed" says nothing and is left out).
    java.util.Map<String, String> roleOf = new java.util.HashMap<>();
    for (Role r : roles) {
      if (!r.role().equals("listed")) {
        roleOf.merge(r.checkpoint().name(), r.role(), (a, b) -> a + " + " + b);
      }
    }
    if (config.figures()) {
      FixedPointsFigures.points(out.resolve(PNG), found, roleOf);
    }
    if (config.figures() && config.landscapeGrid() > 0 && pca.components().length >= 2) {
      FixedPointsFigures.landscape(out.resolve(LANDSCAPE_PNG), found, roleOf);
    }
    clock.lap("figures");
  }

  /**
   * One row of {@code checkpoints.csv}.
   *
   * @param role plateau, before-drop, after-drop, after-last-drop, end or listed
   * @param checkpoint the checkpoint
   * @param step its optimizer step (NaN: unknown)
   * @param rule why it was chosen
   */
  record Role(String role, Checkpoint checkpoint, double step, String rule) {}

  /**
   * The roles of the analysed checkpoints: with {@code checkpoints: around-drop} (and no {@code
   * steps}) those of {@link AroundDrop}, else one row per checkpoint of {@link #choose}.
   *
   * @param runDirectory the run directory (the parent of the analysis directory)
   * @throws IllegalStateException when there is no checkpoint, or around-drop finds no
   *     abrupt-learning table
   */
  static List<Role> roles(Config config, List<Checkpoint> all, Path runDirectory)
      throws IOException {
    if (config.steps().isEmpty() && config.checkpoints() == Selection.AROUND_DROP) {
      requireSome(all);
      AroundDrop.Drop drop = AroundDrop.read(runDirectory);
      double[] steps = AbruptLearningAnalyzer.checkpointSteps(runDirectory, all);
      return AroundDrop.choose(drop, steps).stream()
          .map(c -> new Role(c.role(), all.get(c.index()), steps[c.index()], c.rule()))
          .toList();
    }
    List<Checkpoint> chosen = choose(config, all);
    double[] steps = AbruptLearningAnalyzer.checkpointSteps(runDirectory, chosen);
    boolean last = config.steps().isEmpty() && config.checkpoints() == Selection.LAST;
    String rule =
        config.steps().isEmpty()
            ? "checkpoints: " + config.checkpoints().name().toLowerCase(java.util.Locale.ROOT)
            : "steps: " + String.join(" ", config.steps());
    List<Role> out = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i++) {
      out.add(new Role(last ? "end" : "listed", chosen.get(i), steps[i], rule));
    }
    return out;
  }

  private static void requireSome(List<Checkpoint> all) {
    if (all.isEmpty()) {
      throw new IllegalStateException(
          ID
              + " was given no checkpoints, so there is no network to simulate. Fix: analyse a run"
              + " that trained at least until its first checkpoint.");
    }
  }

  /**
   * The checkpoints named by {@code steps} (in the run's order), else the last or all (with {@code
   * around-drop} use {@link #roles}).
   *
   * @throws IllegalArgumentException naming an entry of {@code steps} that matches no checkpoint
   */
  static List<Checkpoint> choose(Config config, List<Checkpoint> all) {
    if (config.steps().isEmpty()) {
      requireSome(all);
      return config.checkpoints() == Selection.ALL
          ? List.copyOf(all)
          : List.of(all.get(all.size() - 1));
    }
    List<String> names = new ArrayList<>();
    for (String entry : config.steps()) {
      String name = entry.trim();
      if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
        name = String.format(java.util.Locale.ROOT, "step-%08d", Long.parseLong(name));
      }
      String wanted = name;
      if (all.stream().noneMatch(c -> c.name().equals(wanted))) {
        throw new IllegalArgumentException(
            ID
                + ": steps names '"
                + entry
                + "', but the run has no checkpoint "
                + wanted
                + " (it has "
                + all.stream().map(Checkpoint::name).toList()
                + "). Fix: list checkpoint names or their optimizer steps.");
      }
      names.add(wanted);
    }
    return all.stream().filter(c -> names.contains(c.name())).toList();
  }

  /** The summary row of one checkpoint: fixed points by class, ghosts, slow points, all. */
  static List<Object> summaryRow(Found f) {
    int stable = 0;
    int saddle = 0;
    int unstable = 0;
    int ghost = 0;
    int slow = 0;
    for (int i = 0; i < f.points().size(); i++) {
      switch (f.kinds()[i]) {
        case FIXED -> {
          switch (f.points().get(i).stability()) {
            case STABLE -> stable++;
            case SADDLE -> saddle++;
            case UNSTABLE -> unstable++;
          }
        }
        case GHOST -> ghost++;
        case SLOW -> slow++;
      }
    }
    return List.of(
        f.checkpoint().name(),
        f.checkpoint().epoch(),
        stable,
        saddle,
        unstable,
        ghost,
        slow,
        f.points().size());
  }

  /** The trajectory states and the map of one checkpoint. */
  static Sampled sample(Config config, Run run, Checkpoint checkpoint) {
    int[] levels = checkpoint.levels();
    int level = levels == null || levels.length == 0 ? run.minLevel() : Outputs.maxLevel(levels);
    Batch batch = run.sample(new int[] {level}, config.trials(), run.random("batch"));
    Network network = run.restore(checkpoint).network();
    double[][] states = states(network, batch, run);
    double[] input = new double[batch.inputSize()];
    if (config.input() == InputChoice.MEAN) {
      int rows = batch.steps() * batch.batch();
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < input.length; k++) {
          input[k] += batch.inputs()[r * input.length + k] / (double) rows;
        }
      }
    }
    return new Sampled(checkpoint, states, StepMap.of(network, input));
  }

  /** The search, the kinds and the projections of one checkpoint. */
  static Found search(Config config, Run run, Sampled sampled, Pca pca) {
    StepMap map = sampled.map();
    double[][] states = sampled.states();
    PhaseClock clock = new PhaseClock();
    List<Point> points;
    if (config.method() == Method.SPEED) {
      points = new SpeedSolver(map, config.options(), config.projectionTol()).find(states, pca);
    } else if (config.method() == Method.BATCHED) {
      double[][] initial =
          FixedPointFinder.initialStates(
              states, config.initialStates(), config.noise(), run.random("initial-states"));
      points = new BatchedFixedPointFinder(map, config.options()).find(initial);
    } else {
      double[][] initial =
          FixedPointFinder.initialStates(
              states, config.initialStates(), config.noise(), run.random("initial-states"));
      points = new FastFixedPointFinder(map, config.options()).find(initial);
    }
    double fixedQ =
        Math.max(config.tolQ(), 0.5 * map.dimension() * map.resolution() * map.resolution());
    double[][] at = new double[points.size()][];
    for (int i = 0; i < at.length; i++) {
      at[i] = points.get(i).state();
    }
    clock.lap("search of " + sampled.checkpoint().name());
    GhostTest.Kind[] kinds = config.ghostTest().kinds(map, at, fixedQ);
    clock.lap("ghost test");
    double[][] coordinates = new double[points.size()][];
    for (int i = 0; i < coordinates.length; i++) {
      coordinates[i] = pca.project(points.get(i).state());
    }
    double[][] trajectory = new double[states.length][];
    for (int i = 0; i < states.length; i++) {
      trajectory[i] = pca.project(states[i]);
    }
    double[][] landscape =
        config.landscapeGrid() > 0 && pca.components().length >= 2
            ? landscape(map, pca, trajectory, coordinates, config.landscapeGrid())
            : null;
    clock.lap("landscape");
    return new Found(sampled.checkpoint(), trajectory, points, kinds, coordinates, landscape);
  }

  /**
   * log10 q at mean + x·pc1 + y·pc2 on a grid × grid lattice spanning the trajectory's and the
   * points' pc1 and pc2 ranges (5% margin); row index = y.
   */
  static double[][] landscape(
      StepMap map, Pca pca, double[][] trajectory, double[][] points, int grid) {
    double[] range = FixedPointsFigures.range(trajectory, points);
    int s = map.dimension();
    double[][] lattice = new double[grid * grid][s];
    for (int iy = 0; iy < grid; iy++) {
      for (int ix = 0; ix < grid; ix++) {
        double x = range[0] + (range[1] - range[0]) * ix / Math.max(1, grid - 1);
        double y = range[2] + (range[3] - range[2]) * iy / Math.max(1, grid - 1);
        double[] state = lattice[iy * grid + ix];
        for (int k = 0; k < s; k++) {
          state[k] = pca.mean()[k] + x * pca.components()[0][k] + y * pca.components()[1][k];
        }
      }
    }
    double[] q = FixedPointFinder.speeds(lattice, map.apply(lattice));
    double[][] out = new double[grid][grid];
    for (int iy = 0; iy < grid; iy++) {
      for (int ix = 0; ix < grid; ix++) {
        out[iy][ix] = Math.log10(Math.max(q[iy * grid + ix], 1e-300));
      }
    }
    return out;
  }

  /**
   * The full states s_1 … s_T of every sequence, running the cell itself (the trajectory's hidden
   * states lack the other blocks of an LSTM's [h | c]).
   *
   * @return {@code [T·B][S]}, step-major
   * @throws IllegalStateException when a state is not finite
   */
  static double[][] states(Network network, Batch batch, Run run) {
    Cell cell = network.cell();
    INDArray s = network.initialState(batch.batch(), run.random("h0"));
    DataType type = s.dataType();
    INDArray inputs =
        Nd4j.createFromArray(batch.inputs())
            .reshape(batch.steps(), batch.batch(), batch.inputSize())
            .castTo(type);
    int width = network.stateSize();
    double[][] out = new double[batch.steps() * batch.batch()][];
    for (int t = 0; t < batch.steps(); t++) {
      INDArray x = inputs.slice(t).dup('c');
      s = cell.step(s, x, null).next();
      double[][] rows = s.castTo(DataType.DOUBLE).reshape(batch.batch(), width).toDoubleMatrix();
      for (int b = 0; b < rows.length; b++) {
        for (double v : rows[b]) {
          if (!Double.isFinite(v)) {
            throw new IllegalStateException(
                ID
                    + ": the state of the "
                    + run.modelId()
                    + " network diverges on the task (step "
                    + t
                    + ", sequence "
                    + b
                    + ")");
          }
        }
        out[t * batch.batch() + b] = rows[b];
      }
    }
    return out;
  }
}
