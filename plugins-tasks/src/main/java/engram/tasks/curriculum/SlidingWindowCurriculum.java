package engram.tasks.curriculum;

import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * Sliding-window curriculum: train a window of w consecutive levels, and once they are learnt slide
 * the window up by one, forgetting the oldest level.
 *
 * <p>Starts with levels {@code start-level} … {@code start-level}+w−1 on heads 0 … w−1. After each
 * evaluation it advances when the mean accuracy over the window and the accuracy on the newest
 * level both exceed {@code threshold} (strictly): the oldest level is dropped and N<sub>max</sub>+1
 * is added. It finishes instead of advancing past {@code max-level}.
 *
 * <p>Heads: the new level takes over the head of the level it replaces, so every level keeps one
 * head for as long as it is trained and only w heads ever exist. (The authors' code instead indexed
 * heads by position in the window, so after each slide every surviving level moved to the next
 * lower head.)
 *
 * <p>Source: Khajehabdollahi et al., "Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class SlidingWindowCurriculum
    implements Curriculum.FixedLevel<SlidingWindowCurriculum.Config> {

  public record Config(
      @Doc("the oldest level of the first window") int startLevel,
      @Doc("number of consecutive levels (and heads) trained at once") int window,
      @Doc(
              "accuracy (fraction in (0, 1]) that the mean over the window and the newest level"
                  + " must exceed to advance")
          double threshold,
      @Doc("the last level added: once the window ending at it is learnt, training finishes")
          int maxLevel) {
    public Config {
      AdvanceRule.checkStartLevel(startLevel);
      Check.atLeast("window", window, 1);
      AdvanceRule.checkThreshold(threshold);
      AdvanceRule.checkMaxLevel(maxLevel, startLevel + window - 1);
    }

    public static Config defaults() {
      return new Config(AdvanceRule.START_LEVEL, 5, AdvanceRule.THRESHOLD, AdvanceRule.MAX_LEVEL);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "sliding-window",
        "Train w consecutive levels; slide up by one when learnt",
        "Starts with levels start-level .. start-level+w-1 on heads 0 .. w-1. When the mean"
            + " accuracy over the window and the newest level's accuracy exceed the threshold,"
            + " drops the oldest level and adds Nmax+1 on the head the dropped level used."
            + " Khajehabdollahi et al., ICLR 2024, arXiv:2309.12927.");
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
    List<Assignment> window = new ArrayList<>(config.window());
    for (int head = 0; head < config.window(); head++) {
      window.add(new Assignment(config.startLevel() + head, head));
    }
    return new Stage(window);
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
    List<Assignment> window = new ArrayList<>(stage.assignments());
    Assignment oldest = window.remove(0);
    window.add(new Assignment(next, oldest.head()));
    return Decision.advance(new Stage(window));
  }

  /** A window of one level, {@code level} as start and max level, and the run's threshold. */
  @Override
  public Config fixedLevel(Config config, int level) {
    return new Config(level, 1, config.threshold(), level);
  }
}
