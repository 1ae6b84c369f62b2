package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one-level copy that retraining uses: its curriculum comes from the {@link
 * Curriculum.FixedLevel} capability (the run's own, else another installed one), never from a
 * curriculum core names.
 */
class FixedLevelCopyTest {
  private final ObjectMapper mapper = ConfigMapper.create();

  /** Climbs one level at a time; can train one fixed level, keeping its threshold. */
  public static final class Ladder implements Curriculum.FixedLevel<Ladder.Config> {
    /**
     * @param startLevel first level @param threshold to advance @param maxLevel last level
     */
    public record Config(int startLevel, double threshold, int maxLevel) {
      public Config {
        Check.atLeast("start-level", startLevel, 1);
      }
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("ladder", "Ladder", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(2, 0.98, 100);
    }

    @Override
    public Stage start(Config c) {
      return Stage.of(new Assignment(c.startLevel(), 0));
    }

    @Override
    public Decision decide(Config c, Stage stage, double[] accuracies) {
      if (accuracies[0] <= c.threshold()) {
        return Decision.stay(stage);
      }
      return stage.maxLevel() >= c.maxLevel()
          ? Decision.finish(stage)
          : Decision.advance(Stage.of(new Assignment(stage.maxLevel() + 1, 0)));
    }

    @Override
    public Config fixedLevel(Config config, int level) {
      return new Config(level, config.threshold(), level);
    }
  }

  /** Another curriculum with the capability, sorting before every other id. */
  public static final class Another implements Curriculum.FixedLevel<Another.Config> {
    /**
     * @param level the level trained
     */
    public record Config(int level) {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("another", "Another", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(2);
    }

    @Override
    public Stage start(Config c) {
      return Stage.of(new Assignment(c.level(), 0));
    }

    @Override
    public Decision decide(Config c, Stage stage, double[] accuracies) {
      return accuracies[0] > 0.5 ? Decision.finish(stage) : Decision.stay(stage);
    }

    @Override
    public Config fixedLevel(Config config, int level) {
      return new Config(level);
    }
  }

  /** The fakes of {@link FakePlugins} (whose curricula lack the capability) plus {@code extra}. */
  private static PluginCatalog catalog(Curriculum<?>... extra) {
    PluginCatalog fakes = FakePlugins.catalog();
    return kind -> {
      List<DiscoveredPlugin> all = new ArrayList<>(fakes.all(kind));
      if (kind == PluginKind.CURRICULUM) {
        for (Curriculum<?> c : extra) {
          all.add(new DiscoveredPlugin(PluginKind.CURRICULUM, c, "1.0", "test.jar"));
        }
        all.sort(Comparator.comparing(DiscoveredPlugin::id));
      }
      return all;
    };
  }

  private ResolvedExperiment run(PluginCatalog catalog, String curriculum) throws Exception {
    String yaml =
        "{name: run, seed: 3, task: {id: n-parity}, model: {id: gru},"
            + " curriculum: "
            + curriculum
            + ", regularizers: [{id: weight-l2}],"
            + " analyzers: [{id: timescales}],"
            + " training: {batch-size: 16, max-epochs: 50, optimizer: {type: adam}},"
            + " output: {runs-dir: elsewhere, checkpoint-every: 5}}";
    return new ExperimentBinder(catalog, mapper, Overrides.none())
        .bind((ObjectNode) mapper.readTree(yaml), "run");
  }

  private FixedLevelCopy copies(PluginCatalog catalog) {
    return new FixedLevelCopy(catalog, new ExperimentChecks(mapper, Overrides.none()));
  }

  @Test
  void theRunsCurriculumTrainsTheLevelAloneWithItsThreshold() throws Exception {
    PluginCatalog catalog = catalog(new Ladder(), new Another());
    ResolvedExperiment run = run(catalog, "{id: ladder, threshold: 0.9}");
    ResolvedExperiment copy = copies(catalog).of(run, 5, 4, 77L);
    assertEquals(
        "ladder",
        copy.curriculum().id(),
        "the run's own curriculum, though 'another'" + " sorts first");
    assertEquals(new Ladder.Config(5, 0.9, 5), copy.curriculum().config());
    assertEquals(77L, copy.seed());
    assertEquals(4, copy.training().maxEpochs());
    assertEquals(List.of(), copy.analyzers());
    assertEquals(0, copy.output().checkpointEvery());
    // everything else is the run's
    assertEquals(
        new ResolvedExperiment(
            run.name(),
            run.description(),
            77L,
            run.precision(),
            run.task(),
            run.model(),
            copy.curriculum(),
            run.regularizers(),
            List.of(),
            new TrainingConfig(
                16,
                run.training().stepsPerEpoch(),
                4,
                run.training().clip(),
                run.training().optimizer()),
            run.evaluation(),
            new OutputConfig("elsewhere", 0, false).withoutResume()),
        copy);
  }

  @Test
  void aRunWhoseCurriculumCannotUsesTheFirstInstalledOneThatCan() throws Exception {
    PluginCatalog catalog = catalog(new Ladder(), new Another());
    ResolvedExperiment copy = copies(catalog).of(run(catalog, "{id: fixed}"), 6, 2, 1L);
    assertEquals("another", copy.curriculum().id());
    assertEquals(new Another.Config(6), copy.curriculum().config());
  }

  @Test
  void withoutAnyCurriculumThatCanTheCopyIsRefused() throws Exception {
    PluginCatalog catalog = catalog();
    assertEquals(
        "Curriculum 'fixed' cannot train one fixed level, and no installed curriculum"
            + " can (Curriculum.FixedLevel), so nothing can retrain on level 4. Fix: install a"
            + " curriculum plugin with that capability.",
        assertThrows(
                ConfigException.class,
                () -> copies(catalog).of(run(catalog, "{id: fixed}"), 4, 2, 1L))
            .getMessage());
  }

  @Test
  void levelsAndEpochsOutOfRangeAreRefusedWithTheRule() throws Exception {
    PluginCatalog catalog = catalog(new Ladder());
    ResolvedExperiment run = run(catalog, "{id: ladder}");
    FixedLevelCopy copies = copies(catalog);
    assertEquals(
        "Invalid value: curriculum.start-level starts curriculum 'ladder' at level 1, but"
            + " task 'n-parity' starts at level 2. Fix: set curriculum.start-level to at least 2.",
        assertThrows(ConfigException.class, () -> copies.of(run, 1, 2, 1L)).getMessage());
    assertEquals(
        "Invalid value: curriculum 'ladder' cannot train level 0 alone: start-level must"
            + " be ≥ 1 (was 0). Fix: retrain on a level the curriculum accepts.",
        assertThrows(ConfigException.class, () -> copies.of(run, 0, 2, 1L)).getMessage());
    assertEquals(
        "Invalid value: training.max-epochs must be ≥ 1 (was 0) in the copy that"
            + " retrains on level 5. Fix: retrain for at least one epoch.",
        assertThrows(ConfigException.class, () -> copies.of(run, 5, 0, 1L)).getMessage());
  }
}
