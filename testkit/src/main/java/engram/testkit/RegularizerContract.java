package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Regularizer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every regularizer must do, as an abstract JUnit 5 test to extend: name the regularizer and
 * the configurations to check (each variant of its terms: on the hidden states, on an extra, on a
 * named period, on the parameters, a schedule), and where a configuration needs more than a random
 * trajectory (an extra, a batch with periods), say so in {@link #probe}.
 *
 * <p>Checked: the plugin itself ({@link PluginContract#assertPlugin}) and the invalid
 * configurations; both terms against central differences of their own values ({@link
 * GradientCheck#checkRegularizer}: added to the gradient buffers, never overwriting them, inputs
 * left alone, the same value when repeated); the terms in float32 agree with float64; and {@link
 * Regularizer#perturb} is deterministic given the noise stream and returns either nothing or a
 * drive {@code [T, B, H]} of the inputs' type.
 *
 * @param <C> the regularizer's configuration record
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RegularizerContract<C extends Record> {

  /**
   * The regularizer under test.
   *
   * @return a new plugin instance
   */
  protected abstract Regularizer<C> regularizer();

  /**
   * The configurations to check, each with λ &gt; 0.
   *
   * @return at least one
   */
  protected abstract List<C> configs();

  /**
   * Constructions of the configuration record that must fail naming their key.
   *
   * @return the invalid configurations; none by default
   */
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of();
  }

  /**
   * What a configuration's terms are checked on.
   *
   * @param config a configuration
   * @return {@link RegularizerProbe#random RegularizerProbe.random(6, 3, 4, 7)} by default
   */
  protected RegularizerProbe probe(C config) {
    return RegularizerProbe.random(6, 3, 4, 7);
  }

  /**
   * The relative tolerance of the finite-difference check.
   *
   * @return 1e-6 by default
   */
  protected double tolerance() {
    return 1e-6;
  }

  /**
   * A short name of a configuration for test reports.
   *
   * @param config a configuration
   * @return its {@code toString()} by default
   */
  protected String describe(C config) {
    return config.toString();
  }

  /**
   * The configurations as named test arguments (the source of every parameterized test here).
   *
   * @return one argument per configuration
   */
  protected Stream<Named<C>> configurations() {
    List<C> configs = configs();
    assertFalse(configs.isEmpty(), "configs() must name at least one configuration");
    return configs.stream().map(c -> Named.of(describe(c), c));
  }

  /** Registration, constructor, info and documented configuration ({@link PluginContract}). */
  @Test
  public void pluginIsRegisteredDocumentedAndCheapToCreate() {
    PluginContract.assertPlugin(regularizer());
    for (C config : configs()) {
      assertSame(regularizer().configType(), config.getClass(), "configs() are its own");
    }
  }

  /** Every invalid configuration throws naming its key. */
  @Test
  public void invalidConfigurationsAreRejectedNamingTheKey() {
    PluginContract.assertConfigErrors(invalidConfigs());
  }

  /**
   * Both terms against central differences ({@link GradientCheck#checkRegularizer}).
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void termsMatchCentralDifferencesOfTheirValues(C config) {
    GradientCheck.checkRegularizer(regularizer(), config, probe(config), tolerance());
  }

  /**
   * The terms computed in float32 agree with float64 (values to 1e-5 relative, gradients to 1e-4 of
   * their largest entry).
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void termsInFloat32AgreeWithFloat64(C config) {
    RegularizerProbe p64 = probe(config);
    RegularizerProbe p32 = p64.castTo(DataType.FLOAT);
    double[] v64 = new double[2];
    double[] v32 = new double[2];
    INDArray g64 = terms(config, p64, v64);
    INDArray g32 = terms(config, p32, v32);
    for (int k = 0; k < 2; k++) {
      assertEquals(
          v64[k],
          v32[k],
          1e-5 * Math.abs(v64[k]) + 1e-12,
          (k == 0 ? "onHidden" : "onParameters") + " in float32");
    }
    assertEquals(DataType.FLOAT, g32.dataType(), "float32 gradients");
    double scale = g64.amaxNumber().doubleValue();
    double diff = g32.castTo(DataType.DOUBLE).sub(g64).amaxNumber().doubleValue();
    assertTrue(
        diff <= 1e-4 * scale + 1e-12,
        "gradients in float32 differ by " + diff + " (largest " + scale + ")");
  }

  /** Both values, and every gradient the terms add, flattened into one array. */
  private INDArray terms(C config, RegularizerProbe probe, double[] values) {
    DataType type = probe.hidden().dataType();
    INDArray dLdh = probe.hidden().ulike();
    java.util.Map<String, INDArray> extra = new java.util.TreeMap<>();
    probe.extras().forEach((k, v) -> extra.put(k, v.ulike()));
    values[0] =
        regularizer()
            .onHidden(
                config,
                new Regularizer.HiddenInput(
                    probe.hidden(),
                    dLdh,
                    probe.batch(),
                    probe.step(),
                    probe.accuracy(),
                    probe.extras(),
                    name -> {
                      INDArray g = extra.get(name);
                      if (g == null) {
                        throw new IllegalArgumentException("no extra '" + name + "'");
                      }
                      return g;
                    }));
    java.util.Map<String, INDArray> grads = new java.util.LinkedHashMap<>();
    probe.parameters().stream()
        .filter(engram.api.Parameter::trainable)
        .forEach(p -> grads.put(p.name(), p.value().ulike()));
    values[1] =
        regularizer()
            .onParameters(
                config, new Regularizer.ParameterInput(probe.parameters(), grads, probe.step()));
    List<INDArray> all = new java.util.ArrayList<>();
    all.add(dLdh.reshape(dLdh.length()));
    extra.values().forEach(g -> all.add(g.reshape(g.length())));
    grads.values().forEach(g -> all.add(g.reshape(g.length())));
    return Nd4j.concat(0, all.toArray(INDArray[]::new)).castTo(type);
  }

  /**
   * {@link Regularizer#perturb} gives the same noise for the same stream, changes only the inputs'
   * values (not their shape or type), and returns null or a drive {@code [T, B, H]} of the inputs'
   * type.
   *
   * @param config the configuration under test
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  public void perturbationIsDeterministicGivenTheNoiseStream(C config) {
    RegularizerProbe probe = probe(config);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      int steps = (int) probe.hidden().size(0);
      int batch = (int) probe.hidden().size(1);
      int hidden = (int) probe.hidden().size(2);
      INDArray x1 = Nd4j.ones(type, steps, batch, 2);
      INDArray x2 = Nd4j.ones(type, steps, batch, 2);
      INDArray d1 =
          regularizer()
              .perturb(
                  config,
                  new Regularizer.PerturbationInput(
                      x1, hidden, probe.batch(), probe.step(), new SplittableRandom(3)));
      INDArray d2 =
          regularizer()
              .perturb(
                  config,
                  new Regularizer.PerturbationInput(
                      x2, hidden, probe.batch(), probe.step(), new SplittableRandom(3)));
      assertArrayEquals(new long[] {steps, batch, 2}, x1.shape(), "inputs keep their shape");
      assertEquals(type, x1.dataType(), "inputs keep their type");
      TestArrays.assertIdentical(x1, x2, "input noise from the same stream");
      assertEquals(d1 == null, d2 == null, "a drive from the same stream");
      if (d1 != null) {
        assertArrayEquals(new long[] {steps, batch, hidden}, d1.shape(), "drive [T, B, H]");
        assertEquals(type, d1.dataType(), "the drive has the inputs' type");
        TestArrays.assertIdentical(d1, d2, "drive from the same stream");
      }
    }
  }
}
