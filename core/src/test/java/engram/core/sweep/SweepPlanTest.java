package engram.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expansion of a plan into points: conditions × grid × zip, labels, overrides, checks. */
class SweepPlanTest {
  @TempDir Path dir;

  private SweepPlan load(String yaml) throws IOException, ConfigException {
    return SweepPlan.load(Files.writeString(dir.resolve("plan.yaml"), yaml));
  }

  @Test
  void pointsAreConditionsTimesGridTimesZipInFileOrderFirstListSlowest() throws Exception {
    SweepPlan plan =
        load(
            """
            name: s
            experiment: e.yaml
            seeds: [1, 2]
            workers: 1
            conditions:
              - {label: a, set: [curriculum.id=single-head]}
              - {label: b, set: [curriculum.id=multi-head]}
            grid:
              model.hidden-size: [8, 16]
              model.gain: [1.0, 2]
            zip:
              training.optimizer.lr: [0.1, 0.01, 0.001]
              training.batch-size: [8, 16, 32]
            """);
    List<SweepPlan.Condition> points = plan.points(plan.profile(null));
    // brute force: the same product written out as nested loops
    List<String> expected = new ArrayList<>();
    for (String c : List.of("a", "b")) {
      for (String h : List.of("8", "16")) {
        for (String g : List.of("1.0", "2")) {
          for (String[] z : new String[][] {{"0.1", "8"}, {"0.01", "16"}, {"0.001", "32"}}) {
            expected.add(
                c + "-hidden-size" + h + "-gain" + g + "-lr" + z[0] + "-batch-size" + z[1]);
          }
        }
      }
    }
    assertEquals(expected, points.stream().map(SweepPlan.Condition::label).toList());
    assertEquals(
        List.of(
            "curriculum.id=multi-head",
            "model.hidden-size=16",
            "model.gain=1.0",
            "training.optimizer.lr=0.01",
            "training.batch-size=16"),
        points.get(12 + 2 * 3 + 1).set());
  }

  @Test
  void aGridAloneNeedsNoConditions() throws Exception {
    SweepPlan plan =
        load("name: s\nexperiment: e.yaml\nseeds: [1]\nworkers: 1\ngrid: {model.gain: [1, 2]}\n");
    assertEquals(
        List.of("gain1", "gain2"),
        plan.points(plan.profile(null)).stream().map(SweepPlan.Condition::label).toList());
  }

  @Test
  void zipListsOfDifferentLengthsAreRefusedNamingTheKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    "name: s\nexperiment: e.yaml\nseeds: [1]\nworkers: 1\n"
                        + "zip: {model.gain: [1, 2], training.batch-size: [8]}\n"));
    assertTrue(e.getMessage().contains("training.batch-size has 1"), e.getMessage());
    assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
  }

  @Test
  void pointsWithTheSameLabelAreRefused() throws Exception {
    SweepPlan plan =
        load(
            "name: s\nexperiment: e.yaml\nseeds: [1]\nworkers: 1\n"
                + "grid: {model.gain: [1], regularizers.1.gain: [1]}\n"
                + "zip: {model.x: [a, a]}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> plan.points(plan.profile(null)));
    assertTrue(e.getMessage().contains("'gain1-gain1-xa'"), e.getMessage());
  }

  @Test
  void nothingToSweepAndBadKeysAndSlurmValuesAreRefused() {
    for (String[] bad :
        new String[][] {
          {"seeds: [1]\n", "nothing to sweep"},
          {"seeds: [1]\ngrid: {Model.Gain: [1]}\n", "not a dotted config key"},
          {"seeds: [1]\ngrid: {model.gain: []}\n", "lists no values"},
          {"seeds: [1]\ngrid: {model.gain: [[1]]}\n", "not a number or a word"},
          {"seeds: [1]\ngrid: {model.gain: [1]}\nslurm: {time: soon}\n", "not a Slurm time"},
          {"seeds: [1]\ngrid: {model.gain: [1]}\nslurm: {mem: lots}\n", "not a Slurm memory"},
          {"seeds: [1]\ngrid: {model.gain: [1]}\nslurm: {time: '00:03:00'}\n", "under 5 minutes"},
          {"seeds: [1]\ngrid: {model.gain: [1]}\nslurm: {options: [account=x]}\n", "--account=lab"},
          {"seeds: [1]\ngrid: {model.gain: [1]}\nslurm: {queue: x}\n", "Unknown key 'queue'"},
          {"seeds: [1]\ngrdi: {model.gain: [1]}\n", "Unknown key 'grdi'"}
        }) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> load("name: s\nexperiment: e.yaml\nworkers: 1\n" + bad[0]),
              bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + " → " + e.getMessage());
      assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
    }
  }

  @Test
  void slurmTimesAreReadInEveryFormSbatchTakes() {
    assertEquals(7, SlurmOptions.minutes("7"));
    assertEquals(7, SlurmOptions.minutes("7:30"));
    assertEquals(90, SlurmOptions.minutes("01:30:00"));
    assertEquals(1440 + 120, SlurmOptions.minutes("1-2"));
    assertEquals(1440 + 125, SlurmOptions.minutes("1-2:05"));
    assertEquals(2 * 1440 + 125, SlurmOptions.minutes("2-02:05:59"));
  }

  @Test
  void slurmFlagsReplaceTheFilesValuesAndAddOptions() throws Exception {
    SweepPlan plan =
        load(
            "name: s\nexperiment: e.yaml\nseeds: [1]\nworkers: 1\ngrid: {model.gain: [1]}\n"
                + "slurm: {partition: cpu, time: '01:00:00', max-parallel: 5,"
                + " options: [--account=a]}\n");
    SlurmOptions merged =
        plan.slurm()
            .with(new SlurmOptions(null, "02:00:00", "4G", null, null, List.of("--qos=long")));
    assertEquals("cpu", merged.partition());
    assertEquals("02:00:00", merged.time());
    assertEquals("4G", merged.mem());
    assertEquals(5, merged.throttle());
    assertEquals(1, merged.cpus());
    assertEquals(List.of("--account=a", "--qos=long"), merged.options());
  }
}
