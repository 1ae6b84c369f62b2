package engram.tasks.curriculum;

import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.config.Doc;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;

/**
 * Single-head curriculum: train one level at a time on one readout head, and move to N+1 once N is
 * learnt. Earlier levels are no longer trained (and typically forgotten).
 *
 * <p>Starts at N = {@code start-level} on head 0. After each evaluation it advances when the
 * accuracy on N exceeds {@code threshold} (strictly); the new stage is N+1 alone, still on head 0.
 * It finishes instead of advancing past {@code max-level}.
 *
 * <p>Source: Khajehabdollahi et al., "Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class SingleHeadCurriculum
    implements Curriculum.FixedLevel<SingleHeadCurriculum.Config> {
  private static final int HEAD = 0;

  public record Config(
      @Doc("the first level N trained") int startLevel,
      @Doc(
              "accuracy (fraction in (0, 1]) that the mean over active levels and the newest level"
                  + " must exceed to advance")
          double threshold,
      @Doc("the last level trained: once it is learnt, training finishes") int maxLevel) {
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
        "single-head",
        "One level at a time on one head: N, then N+1, ...",
        "Starts at N = start-level on head 0. When the accuracy exceeds the threshold, N becomes"
            + " N+1 and only the new N is trained, on the same head. Khajehabdollahi et al., ICLR"
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
    return Stage.of(new Assignment(config.startLevel(), HEAD));
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
    return Decision.advance(Stage.of(new Assignment(next, HEAD)));
  }

  /** The run's threshold, {@code level} as start and max level. */
  @Override
  public Config fixedLevel(Config config, int level) {
    return new Config(level, config.threshold(), level);
  }
}
