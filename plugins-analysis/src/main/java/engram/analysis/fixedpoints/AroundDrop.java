package engram.analysis.fixedpoints;

import engram.analysis.abrupt.AbruptLearningAnalyzer;
import engram.api.table.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The checkpoints around a run's abrupt drop ({@code fixed-points} with {@code checkpoints:
 * around-drop}), chosen from the run's {@code abrupt-learning} tables. Deterministic.
 *
 * <p>Steps: a checkpoint sits at the optimizer step {@code abrupt-learning} gives it ({@link
 * AbruptLearningAnalyzer#checkpointSteps}: {@code step-NNNNNNNN} at NNNNNNNN, any other at the last
 * step of its epoch). With P the plateau's loss, L the level after it ({@code after_loss}), one row
 * per role, in this order (a role no checkpoint qualifies for gets no row):
 *
 * <ul>
 *   <li>{@code plateau}: the checkpoint nearest the plateau's middle (plateau_start +
 *       plateau_end)/2 (the earlier on a tie); when there is a plateau (verdict {@code drop} or
 *       {@code no-drop});
 *   <li>{@code before-drop}: the last checkpoint at a step &lt; t_drop (verdict {@code drop});
 *   <li>{@code after-drop}: the first checkpoint at a step &gt; t_drop and ≥ the end of the fall:
 *       the first step ≥ t_drop at which the smoothed loss of {@code abrupt-learning-loss.csv} is
 *       at most P − 0.9·(P − L), i.e. 90 % of the way to the next level (the end of the geometry
 *       study's 10→90 % drop width); t_drop itself when that table is missing or never gets there;
 *   <li>{@code after-last-drop}: when the run has a later drop ({@code drops} ≥ 2 and t_last_drop
 *       &gt; t_drop), the first checkpoint at a step &gt; t_last_drop;
 *   <li>{@code end}: the last checkpoint (every verdict).
 * </ul>
 *
 * Without a drop this leaves the plateau's middle (if any) and the end. The analysed checkpoints
 * are the distinct checkpoints of these rows, oldest first. Checkpoints whose step is unknown (NaN)
 * take no role but {@code end}. A rule's text has no comma (a CSV cell a plain split can read).
 */
final class AroundDrop {
  private AroundDrop() {}

  /** Fraction of the fall from P to L after which the fall counts as over. */
  static final double FALL_END = 0.9;

  /**
   * What {@code abrupt-learning} found in one run.
   *
   * @param verdict drop, no-drop or no-plateau
   * @param plateauStart first step of the plateau (NaN: none)
   * @param plateauEnd last step of the plateau (NaN: none)
   * @param tDrop t_drop (NaN: no drop)
   * @param fallEnd end of the fall (see the class javadoc); NaN when unknown
   * @param drops number of drops
   * @param tLastDrop t_drop of the last drop (NaN: none)
   */
  record Drop(
      String verdict,
      double plateauStart,
      double plateauEnd,
      double tDrop,
      double fallEnd,
      int drops,
      double tLastDrop) {}

  /**
   * One row of {@code checkpoints.csv}.
   *
   * @param role plateau, before-drop, after-drop, after-last-drop or end
   * @param index the checkpoint's index in the run's list
   * @param rule why this checkpoint, one sentence
   */
  record Choice(String role, int index, String rule) {}

  /**
   * The roles and their checkpoints (see the class javadoc).
   *
   * @param drop what abrupt-learning found
   * @param steps the step of every checkpoint of the run, oldest first; non-empty
   */
  static List<Choice> choose(Drop drop, double[] steps) {
    List<Choice> out = new ArrayList<>();
    if (Double.isFinite(drop.plateauStart()) && Double.isFinite(drop.plateauEnd())) {
      double middle = 0.5 * (drop.plateauStart() + drop.plateauEnd());
      int best = -1;
      for (int i = 0; i < steps.length; i++) {
        if (Double.isFinite(steps[i])
            && (best < 0 || Math.abs(steps[i] - middle) < Math.abs(steps[best] - middle))) {
          best = i;
        }
      }
      if (best >= 0) {
        out.add(
            new Choice(
                "plateau",
                best,
                "nearest the middle of the plateau (step "
                    + number(middle)
                    + "; plateau "
                    + number(drop.plateauStart())
                    + "–"
                    + number(drop.plateauEnd())
                    + ")"));
      }
    }
    double tDrop = drop.tDrop();
    if ("drop".equals(drop.verdict()) && Double.isFinite(tDrop)) {
      int before = -1;
      for (int i = 0; i < steps.length; i++) {
        if (steps[i] < tDrop) {
          before = i;
        }
      }
      if (before >= 0) {
        out.add(
            new Choice(
                "before-drop", before, "the last checkpoint before t_drop " + number(tDrop)));
      }
      boolean known = Double.isFinite(drop.fallEnd());
      double fallEnd = known ? Math.max(drop.fallEnd(), tDrop) : tDrop;
      int after = first(steps, s -> s > tDrop && s >= fallEnd);
      if (after >= 0) {
        out.add(
            new Choice(
                "after-drop",
                after,
                known
                    ? "the first checkpoint at or after the end of the fall at step "
                        + number(fallEnd)
                        + " (90 % of the way from the plateau to the next level; t_drop "
                        + number(tDrop)
                        + ")"
                    : "the first checkpoint after t_drop "
                        + number(tDrop)
                        + " (the loss table gives no end of the fall)"));
      }
      double last = drop.tLastDrop();
      if (drop.drops() >= 2 && last > tDrop) {
        int afterLast = first(steps, s -> s > last);
        if (afterLast >= 0) {
          out.add(
              new Choice(
                  "after-last-drop",
                  afterLast,
                  "the first checkpoint after the last drop (t_last_drop " + number(last) + ")"));
        }
      }
    }
    out.add(new Choice("end", steps.length - 1, "the last checkpoint"));
    return out;
  }

  /** The distinct checkpoint indices of the choices, oldest first. */
  static List<Integer> analysed(List<Choice> choices) {
    TreeSet<Integer> set = new TreeSet<>();
    choices.forEach(c -> set.add(c.index()));
    return List.copyOf(set);
  }

  /**
   * Reads the newest {@code abrupt-learning} tables of a run ({@code analysis/abrupt-learning-k}
   * with the largest k, as {@code compare} reads tables).
   *
   * @throws IllegalStateException when the run has no {@code abrupt-learning.csv}, naming the fix
   */
  static Drop read(Path runDirectory) throws IOException {
    Path dir = newest(runDirectory);
    String summaryFile = AbruptLearningAnalyzer.SUMMARY.file();
    if (dir == null) {
      throw new IllegalStateException(
          FixedPointsAnalyzer.ID
              + ": checkpoints: around-drop needs the run's "
              + "analysis/"
              + AbruptLearningAnalyzer.ID
              + "/"
              + summaryFile
              + ", but "
              + runDirectory
              + " has none. Fix: list abrupt-learning before fixed-points in the run's analyzers"
              + " (./engram analyze RUN --analyzers abrupt-learning,fixed-points).");
    }
    Table s = parse(dir.resolve(summaryFile), AbruptLearningAnalyzer.SUMMARY);
    if (s.size() != 1) {
      throw new IllegalStateException(
          dir.resolve(summaryFile)
              + " has "
              + s.size()
              + " rows, not one. Fix: rerun abrupt-learning on the run.");
    }
    double plateau = s.number(0, "plateau_loss");
    double after = s.number(0, "after_loss");
    double tDrop = s.number(0, "t_drop");
    double fallEnd = Double.NaN;
    Path lossFile = dir.resolve(AbruptLearningAnalyzer.LOSS.file());
    if (Files.exists(lossFile) && plateau > after && Double.isFinite(tDrop)) {
      Table loss = parse(lossFile, AbruptLearningAnalyzer.LOSS);
      double level = plateau - FALL_END * (plateau - after);
      for (Table.Row r : loss.rows()) {
        if (r.number("step") >= tDrop && r.number("smoothed") <= level) {
          fallEnd = r.number("step");
          break;
        }
      }
    }
    return new Drop(
        s.text(0, "verdict"),
        s.number(0, "plateau_start"),
        s.number(0, "plateau_end"),
        tDrop,
        fallEnd,
        (int) s.number(0, "drops"),
        s.number(0, "t_last_drop"));
  }

  /** {@code analysis/abrupt-learning[-k]} with the largest k that has the summary, or null. */
  static Path newest(Path runDirectory) throws IOException {
    Path analysis = runDirectory.resolve("analysis");
    if (!Files.isDirectory(analysis)) {
      return null;
    }
    Path best = null;
    int bestK = 0;
    String id = AbruptLearningAnalyzer.ID;
    try (Stream<Path> children = Files.list(analysis)) {
      for (Path p : children.toList()) {
        String name = p.getFileName().toString();
        int k = 0;
        if (name.equals(id)) {
          k = 1;
        } else if (name.matches(java.util.regex.Pattern.quote(id) + "-\\d{1,9}")) {
          k = Integer.parseInt(name.substring(id.length() + 1));
        }
        if (k > bestK && Files.exists(p.resolve(AbruptLearningAnalyzer.SUMMARY.file()))) {
          best = p;
          bestK = k;
        }
      }
    }
    return best;
  }

  private static Table parse(Path file, engram.api.table.TableSpec spec) throws IOException {
    try {
      return Table.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          file + ": " + e.getMessage() + ". Fix: rerun abrupt-learning on the run.", e);
    }
  }

  private static int first(double[] steps, java.util.function.DoublePredicate p) {
    for (int i = 0; i < steps.length; i++) {
      if (p.test(steps[i])) {
        return i;
      }
    }
    return -1;
  }

  /** A step for a sentence: an integer when it is one. */
  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%d", (long) v)
        : String.format(Locale.ROOT, "%.1f", v);
  }
}
