package engram.tasks.curriculum;

import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.config.Doc;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head curriculum: keep training every level learnt so far, each on its own readout head, and
 * add the next level on a new head whenever the current set is learnt.
 *
 * <p>Starts with {N = {@code start-level}} on head 0. After each evaluation it advances when the
 * mean accuracy over the active levels and the accuracy on the newest level both exceed {@code
 * threshold} (strictly); the new stage adds N<sub>max</sub>+1 and keeps all earlier levels. Head k
 * serves level {@code start-level} + k (with the default start 2: head k serves N = k + 2). Heads
 * are not capped (the authors' code preallocated 100 heads, so it stopped at N = 101); it finishes
 * instead of advancing past {@code max-level}.
 *
 * <p>Source: Khajehabdollahi et al., "Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class MultiHeadCurriculum
    implements Curriculum.FixedLevel<MultiHeadCurriculum.Config> {

  public record Config(
      @Doc("the first level N trained, on head 0") int startLevel,
      @Doc(
              "accuracy (fraction in (0, 1]) that the mean over active levels and the newest level"
                  + " must exceed to advance")
          double threshold,
      @Doc("the last level added: once every level up to it is learnt, training finishes")
          int maxLevel) {
    public Config {
      AdvanceRule.checkStartLevel(startLevel);
      AdvanceRule.checkThreshold(threshold);
      AdvanceRule.checkMaxLevel(maxLevel, startLevel);
    }

    public static Config defaults() {
      return new Config(AdvanceRule.START_LEVEL, AdvanceRule.THRESHOLD, AdvanceRule.MAX_LEVEL);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "multi-head",
        "Add N+1 on a new head, keep training every earlier N",
        "Starts with N = start-level on head 0. When the mean accuracy over active levels and the"
            + " newest level's accuracy exceed the threshold, adds Nmax+1 on a new head and keeps"
            + " all earlier levels; head k serves start-level + k. Khajehabdollahi et al., ICLR"
            + " 2024, arXiv:2309.12927.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return Config.defaults();
  }

  @Override
  public Stage start(Config config) {
    return Stage.of(new Assignment(config.startLevel(), 0));
  }

  @Override
  public Decision decide(Config config, Stage stage, double[] accuracies) {
    if (!AdvanceRule.learnt(stage, accuracies, config.threshold())) {
      return Decision.stay(stage);
    }
    int next = stage.maxLevel() + 1;
    if (next > config.maxLevel()) {
      return Decision.finish(stage);
    }
    List<Assignment> grown = new ArrayList<>(stage.assignments());
    grown.add(new Assignment(next, next - config.startLevel()));
    return Decision.advance(new Stage(grown));
  }

  /**
   * The run's threshold, {@code level} as start and max level: one head, which finishes once
   * learnt.
   */
  @Override
  public Config fixedLevel(Config config, int level) {
    return new Config(level, config.threshold(), level);
  }
}
