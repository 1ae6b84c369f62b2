package engram.core.config;

import engram.api.Analyzer;
import engram.api.Cell;
import engram.api.Curriculum;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/** Small test-only plugins and a catalog of them; no real plugin module is needed. */
public final class FakePlugins {
  private FakePlugins() {}

  /** A catalog holding every fake below, as if found in {@code fake.jar}. */
  public static PluginCatalog catalog() {
    List<DiscoveredPlugin> all =
        List.of(
            new DiscoveredPlugin(PluginKind.TASK, new Parity(), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.MODEL, new LeakyRnn(), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.MODEL, new Gru(), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.CURRICULUM, new MultiHead(), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.CURRICULUM, new Fixed(), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.REGULARIZER, new L2("activity-l2"), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.REGULARIZER, new L2("weight-l2"), "1.0", "fake.jar"),
            new DiscoveredPlugin(PluginKind.ANALYZER, new Timescales(), "1.0", "fake.jar"));
    return kind ->
        all.stream()
            .filter(p -> p.kind() == kind)
            .sorted(Comparator.comparing(DiscoveredPlugin::id))
            .toList();
  }

  /** A task with a nested record and an enum. */
  public static final class Parity implements Task<Parity.Config> {
    public enum Encoding {
      ONE_HOT,
      SIGNED_BITS
    }

    public record Timing(
        @Doc("Steps before the response.") int delay, @Doc("Response steps.") int response) {
      public Timing {
        Check.atLeast("delay", delay, 0);
      }
    }

    public record Config(
        @Doc("Smallest N.") int minLevel,
        @Doc("Input noise s.d.") double noise,
        @Doc("Input encoding.") Encoding encoding,
        @Doc("Timing.") Timing timing) {
      public Config {
        Check.atLeast("min-level", minLevel, 1);
        Check.nonNegative("noise", noise);
        Check.notNull("timing", timing);
      }
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("n-parity", "N-parity", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(2, 0.0, Encoding.ONE_HOT, new Timing(0, 1));
    }

    @Override
    public int inputSize(Config c) {
      return 1;
    }

    @Override
    public int outputSize(Config c) {
      return 2;
    }

    @Override
    public LossKind lossKind(Config c) {
      return LossKind.CLASSIFICATION;
    }

    @Override
    public int minLevel(Config c) {
      return c.minLevel();
    }

    @Override
    public Batch sample(Config c, int[] levels, int batchSize, RandomGenerator rng) {
      throw new UnsupportedOperationException("test fake");
    }
  }

  /** A model with an enum whose constant has an underscore, and a derived is-getter. */
  public static final class LeakyRnn implements Model<LeakyRnn.Config> {
    public enum Nonlinearity {
      TANH,
      RELU,
      LEAKY_RELU
    }

    public record Config(
        @Doc("Hidden units.") int hiddenSize,
        @Doc("Activation.") Nonlinearity nonlinearity,
        @Doc("Initial tau.") double tau,
        @Doc("Whether tau is trained.") boolean trainableTau,
        @Doc("Extra names.") List<String> tags) {
      public Config {
        Check.atLeast("hidden-size", hiddenSize, 1);
        Check.notNull("nonlinearity", nonlinearity);
        Check.positive("tau", tau);
        tags = List.copyOf(tags);
      }

      /** Derived, not a key: must not appear in YAML. */
      public boolean isLarge() {
        return hiddenSize > 256;
      }
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("leaky-rnn", "Leaky RNN", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(128, Nonlinearity.TANH, 1.0, true, List.of());
    }

    @Override
    public Cell create(Config c, NetworkSpec spec, RandomGenerator rng) {
      throw new UnsupportedOperationException("test fake");
    }
  }

  public static final class Gru implements Model<Gru.Config> {
    public record Config(int hiddenSize) {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("gru", "GRU", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(64);
    }

    @Override
    public Cell create(Config c, NetworkSpec spec, RandomGenerator rng) {
      throw new UnsupportedOperationException("test fake");
    }
  }

  public static final class MultiHead implements Curriculum<MultiHead.Config> {
    public record Config(
        @Doc("First level.") int startLevel, @Doc("Accuracy to advance.") double threshold) {
      public Config {
        Check.inRange("threshold", threshold, 0, 1);
      }
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("multi-head", "Multi-head", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(2, 0.98);
    }

    @Override
    public Stage start(Config c) {
      return Stage.of(new Assignment(c.startLevel(), 0));
    }

    @Override
    public Decision decide(Config c, Stage stage, double[] accuracies) {
      return Decision.stay(stage);
    }
  }

  /** A curriculum with an empty configuration that always trains level 3. */
  public static final class Fixed implements Curriculum<Fixed.Config> {
    public record Config() {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("fixed", "Fixed level 3", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config();
    }

    @Override
    public Stage start(Config c) {
      return Stage.of(new Assignment(3, 0));
    }

    @Override
    public Decision decide(Config c, Stage stage, double[] accuracies) {
      return Decision.stay(stage);
    }
  }

  public static final class L2 implements Regularizer<L2.Config> {
    public record Config(@Doc("Strength.") double lambda) {
      public Config {
        Check.nonNegative("lambda", lambda);
      }
    }

    private final String id;

    public L2(String id) {
      this.id = id;
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo(id, "L2", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(0.01);
    }
  }

  public static final class Timescales implements Analyzer<Timescales.Config> {
    public record Config(@Doc("Largest lag.") int maxLag) {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("timescales", "Timescales", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(100);
    }

    @Override
    public void analyze(Config config, Context context) {}
  }
}
