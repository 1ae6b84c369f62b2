package engram.core.cli;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.core.config.LevelName;
import engram.core.train.EpochReport;
import engram.core.train.TrainingObserver;
import engram.core.train.TrainingResult;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a progress bar (epoch, level range, loss, accuracy, ETA) on a terminal,
 * and one plain line per epoch when output goes to a file or a pipe. Levels are written with the
 * task's level name: {@code N=2..3}, {@code length=2..3}.
 */
final class ProgressObserver implements TrainingObserver {
  private final PrintWriter out;
  private final boolean terminal;
  private ProgressBar bar;
  private String lastEpoch = "";

  ProgressObserver(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void started(long maxSteps) {
    if (terminal) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("train")
              .setInitialMax(maxSteps)
              .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
              .setUpdateIntervalMillis(250)
              .setConsumer(new ConsoleProgressBarConsumer(System.out, 160))
              .setUnit(" steps", 1)
              .showSpeed()
              .build();
    }
  }

  @Override
  public void step(int epoch, long step, double loss) {
    if (bar != null) {
      bar.stepTo(step);
      bar.setExtraMessage(
          String.format(Locale.ROOT, " | epoch %d | step loss %.3f%s", epoch, loss, lastEpoch));
    }
  }

  @Override
  public void epoch(EpochReport r) {
    String line = line(r);
    if (bar != null) {
      lastEpoch =
          String.format(Locale.ROOT, " | %s | acc %.3f", range(r, r.stage()), r.meanAccuracy());
      if (r.decision().outcome() != Decision.Outcome.STAY) {
        System.out.print("\r\033[K" + line + "\n");
      }
    } else {
      out.println(line);
      out.flush();
    }
  }

  static String line(EpochReport r) {
    String decision =
        switch (r.decision().outcome()) {
          case ADVANCE -> " | solved, advancing to " + range(r, r.decision().next());
          case FINISH -> " | solved, curriculum finished";
          case STAY -> "";
        };
    double[] acc = r.accuracy();
    return String.format(
        Locale.ROOT,
        "epoch %4d | %s | loss %.4f | acc %.3f (newest %.3f, min %.3f) | %.1f s%s",
        r.epoch(),
        range(r, r.stage()),
        r.meanLoss(),
        r.meanAccuracy(),
        acc[acc.length - 1],
        Arrays.stream(acc).min().orElse(Double.NaN),
        r.wallSeconds(),
        decision);
  }

  /** The levels of {@code stage} under the name of the report's task. */
  private static String range(EpochReport r, Stage stage) {
    return LevelName.range(r.levelName(), stage.levels());
  }

  @Override
  public void finished(TrainingResult result) {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
