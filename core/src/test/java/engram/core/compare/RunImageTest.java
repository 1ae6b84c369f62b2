package engram.core.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.PluginInfo;
import engram.api.study.Evaluation;
import engram.api.study.Figure;
import engram.api.study.Study;
import engram.api.study.StudyRun;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study's {@link Figure.RunImage}: the newest copy of one run's analyzer PNG is copied into the
 * report unchanged; a missing one is left out with the study's reason.
 */
class RunImageTest {
  private static final PluginRegistry PLUGINS =
      PluginRegistry.discover(RunImageTest.class.getClassLoader());

  /** Shows the first run's {@code fixed-points/speed-landscape.png} and a file no run has. */
  static final class ImageStudy implements Study<ImageStudy.Config> {
    public record Config() {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("image", "Image", "");
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
    public String citation() {
      return "Nobody, 2024.";
    }

    @Override
    public List<String> analyzers() {
      return List.of();
    }

    @Override
    public String rules(Config config) {
      return "- none\n";
    }

    @Override
    public Evaluation evaluate(Config config, List<StudyRun> runs) {
      String first = runs.get(0).id();
      return new Evaluation(
          List.of(),
          List.of(
              new Figure(
                  "landscape.png",
                  "One run's landscape",
                  List.of(new Figure.RunImage(first, "fixed-points", "speed-landscape.png")),
                  "no landscape"),
              new Figure(
                  "absent.png",
                  "A file no run has",
                  List.of(new Figure.RunImage(first, "fixed-points", "absent.png")),
                  "no run drew absent.png")),
          List.of());
    }
  }

  @Test
  void theNewestCopyIsCopiedAndAMissingOneIsLeftOutWithItsReason(@TempDir Path dir)
      throws IOException, ComparisonException {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false).subList(1, 3);
    Path run = runs.get(0);
    byte[] old = "old".getBytes(StandardCharsets.UTF_8);
    byte[] newest = "newest".getBytes(StandardCharsets.UTF_8);
    Files.write(
        Files.createDirectories(run.resolve("analysis/fixed-points"))
            .resolve("speed-landscape.png"),
        old);
    Files.write(
        Files.createDirectories(run.resolve("analysis/fixed-points-2"))
            .resolve("speed-landscape.png"),
        newest);
    // a later copy without the file does not hide the one that has it
    Files.createDirectories(run.resolve("analysis/fixed-points-3"));
    PluginCatalog catalog =
        kind ->
            kind == PluginKind.STUDY
                ? List.of(new DiscoveredPlugin(PluginKind.STUDY, new ImageStudy(), "1", "test"))
                : PLUGINS.all(kind);
    SelectedStudy study = SelectedStudy.resolve(catalog, "image", "");
    Comparison c = Comparison.load(runs, GroupBy.MODEL, study);
    Path out = dir.resolve("report");
    ComparisonReport.Written written = ComparisonReport.write(c, out);
    assertTrue(written.figures().contains("landscape.png"), written.figures().toString());
    assertFalse(written.figures().contains("absent.png"));
    assertArrayEquals(newest, Files.readAllBytes(out.resolve("landscape.png")));
    assertFalse(Files.exists(out.resolve("absent.png")));
    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("### One run's landscape\n\n![One run's landscape](landscape.png)"), md);
    assertTrue(md.contains("- `absent.png`: no run drew absent.png."), md);
  }

  @Test
  void aRunImageNamesAPlainPngAndStandsAlone() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Figure.RunImage("r", "fixed-points", "../x.png"));
    assertEquals(
        "a run image must be a plain file name ending in .png, was '../x.png'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Figure.RunImage("r", "../a", "x.png"));
    Figure.RunImage image = new Figure.RunImage("r", "fixed-points", "x.png");
    IllegalArgumentException alone =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Figure("f.png", "f", List.of(image, image), "none"));
    assertEquals("f.png: a run image must be the figure's only panel", alone.getMessage());
  }
}
