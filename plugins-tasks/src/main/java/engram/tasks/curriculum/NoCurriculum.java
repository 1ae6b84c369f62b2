package engram.tasks.curriculum;

import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.config.Doc;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;

/**
 * No curriculum (the baseline): train one level N from scratch on one head, and stop once it is
 * learnt.
 *
 * <p>Trains N = {@code start-level} on head 0. After each evaluation it finishes when the accuracy
 * exceeds {@code threshold} (strictly), and otherwise stays.
 *
 * <p>Source: Khajehabdollahi et al., "Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class NoCurriculum implements Curriculum.FixedLevel<NoCurriculum.Config> {

  public record Config(
      @Doc("the N trained from scratch") int startLevel,
      @Doc("accuracy (fraction in (0, 1]) that must be exceeded to finish") double threshold) {
    public Config {
      AdvanceRule.checkStartLevel(startLevel);
      AdvanceRule.checkThreshold(threshold);
    }

    public static Config defaults() {
      return new Config(AdvanceRule.START_LEVEL, AdvanceRule.THRESHOLD);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "none",
        "No curriculum: train one N from scratch",
        "Trains N = start-level on head 0 from scratch and finishes when its accuracy exceeds the"
            + " threshold. The baseline of Khajehabdollahi et al., ICLR 2024, arXiv:2309.12927.");
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
    return AdvanceRule.learnt(stage, accuracies, config.threshold())
        ? Decision.finish(stage)
        : Decision.stay(stage);
  }

  /** {@code level} from scratch with the run's threshold: what this curriculum does anyway. */
  @Override
  public Config fixedLevel(Config config, int level) {
    return new Config(level, config.threshold());
  }
}
