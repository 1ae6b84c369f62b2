package engram.core.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Task;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.run.RunArtifacts;
import engram.core.run.RunDirectory;
import engram.core.train.EpochReport;
import engram.core.train.RandomStreams;
import engram.core.train.StopSignal;
import engram.core.train.Trainer;
import engram.core.train.TrainingObserver;
import engram.runtime.Networks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the injectors provide: the invocation's plugins, loader and stop signal; per run (a child
 * injector each) its plugins, random streams, networks, observers and run directory.
 */
class InjectionTest {
  private static Invocation invocation;
  private static ResolvedExperiment tiny;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    invocation = new Invocation(PluginRegistry.discover(InjectionTest.class.getClassLoader()));
    tiny =
        invocation
            .loader()
            .load(
                """
                name: tiny
                seed: 7
                task: {id: n-parity}
                model: {id: leaky-rnn, hidden-size: 6}
                curriculum: {id: multi-head, threshold: 1.0}
                training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 2}
                evaluation: {batches: 1, batch-size: 8}
                """,
                "tiny.yaml",
                "tiny",
                List.of());
  }

  private static ResolvedExperiment withSeed(long seed) throws Exception {
    return invocation
        .loader()
        .load(invocation.loader().toYaml(tiny), "tiny", "tiny", List.of("seed=" + seed));
  }

  @Test
  void theInvocationHoldsOnePluginRegistryLoaderAndStopSignal() {
    assertSame(invocation.plugins(), invocation.plugins());
    assertSame(invocation.loader(), invocation.loader());
    assertSame(invocation.stop(), invocation.stop());
  }

  @Test
  void aRunsInjectorProvidesItsPluginsAndItsExperiment() {
    Injector run = Guice.createInjector(new ExperimentModule(tiny));
    assertEquals(tiny, run.getInstance(ResolvedExperiment.class));
    assertSame(tiny.task(), run.getInstance(Key.get(PluginChoice.class, Chosen.Task.class)));
    assertSame(tiny.model(), run.getInstance(Key.get(PluginChoice.class, Chosen.Model.class)));
    assertSame(
        tiny.curriculum(), run.getInstance(Key.get(PluginChoice.class, Chosen.Curriculum.class)));
    assertEquals(
        List.of(),
        run.getInstance(
            Key.get(new TypeLiteral<List<PluginChoice>>() {}, Chosen.Regularizers.class)));
    assertEquals(7L, run.getInstance(RandomStreams.class).seed());
    assertEquals(DataType.FLOAT, run.getInstance(DataType.class));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyNetworkIsFreshAndDrawnFromTheStreamModelInitAsBefore() {
    Injector run = Guice.createInjector(new ExperimentModule(tiny));
    Network first = run.getInstance(Network.class);
    Network second = run.getInstance(Network.class);
    assertNotSame(first, second);
    // the values the trainer built itself before the injector did: same stream, same draws
    Network byHand =
        Networks.create(
            (Model<Record>) tiny.model().plugin().plugin(),
            tiny.model().config(),
            new NetworkSpec(
                ((Task<Record>) tiny.task().plugin().plugin()).inputSize(tiny.task().config()),
                DataType.FLOAT),
            new RandomStreams(7).stream("model-init"));
    for (int i = 0; i < byHand.parameters().size(); i++) {
      Parameter expected = byHand.parameters().get(i);
      assertEquals(expected.value(), first.parameters().get(i).value(), expected.name());
      assertEquals(expected.value(), second.parameters().get(i).value(), expected.name());
    }
  }

  @Test
  void swappingTheRandomStreamsSwapsEveryDrawOfTheRun() throws Exception {
    List<Double> seven = losses(new ExperimentModule(tiny));
    assertEquals(seven, losses(new ExperimentModule(tiny)), "repeatable");
    List<Double> eight =
        losses(
            Modules.override(new ExperimentModule(tiny))
                .with(binder -> binder.bind(RandomStreams.class).toInstance(new RandomStreams(8))));
    assertNotEquals(seven, eight);
    assertEquals(
        eight,
        losses(new ExperimentModule(withSeed(8))),
        "the streams of seed 8 are the run of seed 8");
  }

  /** The training losses of the run's trainer, read through an observer added to its set. */
  private static List<Double> losses(Module run) {
    List<Double> losses = new ArrayList<>();
    TrainingObserver observer =
        new TrainingObserver() {
          @Override
          public void step(int epoch, long step, double loss) {
            losses.add(loss);
          }
        };
    Guice.createInjector(
            run,
            ExperimentModule.observers(observer),
            binder -> binder.bind(StopSignal.class).toInstance(new StopSignal()))
        .getInstance(Trainer.class)
        .run();
    return losses;
  }

  @Test
  void runsOfOneInvocationShareItsStopSignalAndNothingOfEachOther() throws Exception {
    Invocation own = new Invocation(invocation.plugins()); // its stop signal is requested below
    RunInjector one = own.run(tiny, dir.resolve("runs"), List.of("engram", "run"), List.of());
    RunInjector two =
        own.run(withSeed(8), dir.resolve("runs"), List.of("engram", "run"), List.of());
    try (Stream<Path> nothing = Files.list(dir)) {
      assertEquals(0, nothing.count(), "nothing is created before a run asks for it");
    }
    RunDirectory first = one.directory();
    assertSame(first, one.directory(), "one run directory per run");
    assertNotEquals(first.path(), two.directory().path());
    assertTrue(Files.isRegularFile(first.resolve(RunDirectory.CONFIG)));
    assertTrue(Files.isRegularFile(first.resolve(RunDirectory.PROVENANCE)));
    assertEquals(tiny, invocation.loader().load(first.resolve(RunDirectory.CONFIG), List.of()));
    Trainer a = one.trainer();
    Trainer b = two.trainer();
    assertNotSame(a, b);
    own.stop().request(); // Ctrl-C: both stop before their first step
    try {
      assertEquals(0, a.run().steps());
      assertEquals(0, b.run().steps());
    } finally {
      one.artifacts().close();
      two.artifacts().close();
    }
  }

  @Test
  void theRunDirectorysWriterIsOneOfTheObservers() throws Exception {
    List<Integer> epochs = new ArrayList<>();
    TrainingObserver display =
        new TrainingObserver() {
          @Override
          public void epoch(EpochReport report) {
            epochs.add(report.epoch());
          }
        };
    Invocation own = new Invocation(invocation.plugins()); // a stop signal nobody requested
    RunInjector run = own.run(tiny, dir, List.of("engram", "run"), List.of(display));
    RunArtifacts artifacts = run.artifacts(); // the trainer's observer; closing it ends the files
    try (artifacts) {
      run.trainer().run();
    }
    assertEquals(List.of(1, 2), epochs);
    Path directory = run.directory().path();
    assertEquals(
        3,
        Files.readAllLines(directory.resolve(RunDirectory.METRICS)).size(),
        "a header and one row per epoch");
    assertTrue(Files.isDirectory(run.directory().checkpoints().resolve("final")));
  }

  @Test
  void aRunDirectoryThatCannotBeCreatedIsAnIoException() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "");
    RunInjector run = invocation.run(tiny, file, List.of(), List.of());
    assertThrows(IOException.class, run::directory, "not Guice's ProvisionException");
  }
}
