package engram.studies.geometry;

import engram.api.study.Stats;

/** How the geometry study decides its verdicts, written once for the report and the code. */
final class GeometryRules {
  private GeometryRules() {}

  /**
   * The rules as Markdown, for the report.
   *
   * @param config the study's options (significance, max-sse-ratio, gr-metric, gr-window)
   */
  static String text(MemoryGeometryStudy.Config config) {
    double alpha = config.significance();
    return """
    - **Conditions** come from each run's configuration: λ of its `temporal-consistency` \
    regularizer (0 without one) and the gain g (`model.gain`). The baseline is λ = 0; g₀ is \
    the smallest gain among the runs, g_high the largest.
    - **Learned**: `abrupt-learning` found a plateau followed by a drop (its verdict `drop`; \
    its rules are in that analyzer's documentation). The time of a run is t_drop, or +∞ when \
    it did not drop within its budget (censored); medians sort +∞ last.
    - **(1) Plateau then abrupt drop**: among the λ = 0 runs at g₀ (≥ %d needed), a run \
    counts when it learned and its fall from 10 %% to 90 %% of the way from the plateau to the \
    next level took no more steps than the plateau lasted. *Reproduced* when at least half \
    the runs count, *not reproduced* when no run drops, *inconclusive* otherwise.
    - **(2) GR precedes the drop**: for each run that learned, lead = t_drop − the onset \
    (change point of a continuous two-segment linear fit) of the GR metric `%s`, chosen \
    before the runs (`gr-metric`), when its fit leaves at most %s of the one-line residual. \
    %s The other metrics' leads are reported, not judged; the resolution is the \
    checkpoint spacing around the drop; runs with several drops also get the lead of the \
    whole-run onset over their last drop (`t_last_drop`), reported and not judged. \
    *Reproduced* when ≥ %d runs \
    have a lead, the median \
    lead is > 0 and at least two thirds of the leads are > 0 and *seen before the drop* (a \
    break lies at a checkpoint and the change is first measured at the next one, so a lead \
    counts only when that next checkpoint precedes t_drop); *not reproduced* when the \
    median lead is ≤ 0; *inconclusive* otherwise.
    - **(3) TCR shortens the time to the drop**: at each gain, each λ > 0 against λ = 0: \
    median time with its distribution-free %d %% interval (order statistics), the fraction \
    that learned, and the one-sided Mann–Whitney p that TCR times are smaller (mid-ranks, \
    +∞ tied). With m values of λ > 0 at g₀: *reproduced* when one has a smaller median and \
    p < %s/m (Bonferroni), *not reproduced* when none has a smaller median, *inconclusive* \
    otherwise. Other gains are reported, not judged.
    - **(4a) TCR helps attractors form**: the fraction of runs whose last checkpoint holds \
    every task condition in an attractor of its own — a stable fixed point or an attracting \
    periodic orbit of the input-free map (the `geometry` census) — λ > 0 against λ = 0 \
    at each gain. **(4b) TCR lets strongly connected networks learn**: the fraction of runs \
    at g_high (> g₀) that solved the task (an evaluation reached the curriculum's accuracy \
    threshold, with or without a plateau), λ > 0 against λ = 0. Each: *reproduced* when in one of \
    the m comparisons TCR's fraction is larger with a one-sided Fisher exact p < %s/m, \
    *not reproduced* when TCR's fraction is never larger, *inconclusive* otherwise.
    - **Not measured**: the runs or analyzer tables a claim needs are missing \
    (`abrupt-learning` for all claims, its `gr-onsets.csv` for (2), which needs \
    `geometry` to run first, the `geometry` census for (4a), `fixed-points` with \
    `checkpoints: around-drop` for (G) and (4a, fixed points)).
    """
            .formatted(
                GeometryFindings.MIN_RUNS,
                config.grMetric(),
                Stats.number(config.maxSseRatio()),
                config.dropWindow()
                    ? "The fit judged covers the *drop window* (`gr-window: drop`): the checkpoints"
                        + " from the plateau's start to the first one after the first fall is 90 %"
                        + " done, so the onset says whether the metric began to move during the"
                        + " plateau; the fit over all checkpoints, which finds the metric's largest"
                        + " bend (on runs with two drops often the second), is reported beside it"
                        + " (`gr-window: run` judges that one instead; it was the rule of the first"
                        + " reproduction of 2026-12-07)."
                    : "The fit judged covers all checkpoints (`gr-window: run`): the onset is the"
                        + " metric's largest bend.",
                GeometryFindings.MIN_RUNS,
                Math.round(GeometryFindings.LEVEL * 100),
                Stats.number(alpha),
                Stats.number(alpha))
        + points(alpha);
  }

  /**
   * The rules of the fixed-point findings ({@link PointFindings}).
   *
   * @param alpha family-wise significance level of (4a, fixed points)
   */
  static String points(double alpha) {
    return """
    - **Moments**: `fixed-points` with `checkpoints: around-drop` analyses the checkpoint \
    nearest the middle of the plateau, the last before t_drop (*before the drop*), the first \
    after the fall, i.e. once the smoothed loss is 90 %% of the way to the next level (*after \
    the drop*), the first after a later drop, and the last (*end*); `checkpoints.csv` names \
    them. A *ghost* is a strict local minimum of the speed q = ½‖F(s) − s‖² of the input-free \
    map that is not a zero (the analyzer's ghost test); a *slow point* is a point of small q \
    that is neither.
    - **(G) Ghosts precede the drop**: a run counts when it learned and a tracked point of \
    kind ghost (`ghost-tracks.csv`) exists at an analysed checkpoint before t_drop; runs \
    without an analysed checkpoint before t_drop are left out. The resolution is those \
    checkpoints (the plateau's middle and the last before t_drop): a ghost that lives only \
    between them is missed. Judged on the λ = 0 runs at g₀ (≥ %d needed): *reproduced* when \
    at least half count, *not reproduced* when fewer than a quarter do, *inconclusive* \
    otherwise; other conditions, ghosts or slow points before the drop, the first ghost's \
    step relative to t_drop and ghosts that become fixed points are reported.
    - **(4a, fixed points)**: a run holds attractors when its last analysed checkpoint has at \
    least %d stable fixed points (no |λ| > 1; the fewest that can hold a binary memory), \
    λ > 0 against λ = 0 at each gain, one-sided Fisher exact p: *reproduced* when in one of \
    the m comparisons TCR's fraction is larger with p < %s/m, *not reproduced* when it is \
    never larger, *inconclusive* otherwise. Median counts of stable points, saddles and \
    ghosts before the drop, after it and at the end are reported per condition.
    """
        .formatted(GeometryFindings.MIN_RUNS, PointFindings.MIN_STABLE, Stats.number(alpha));
  }
}
