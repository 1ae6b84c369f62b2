package engram.core.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;

/**
 * {@code engram reproduce}: a sweep whose plan names a study. Trains every point × seed of the plan
 * (side by side here, or as a Slurm job array with {@code --executor slurm}), analyses each run,
 * and writes a comparison with figures and the findings of the plan's study to {@code report.md}.
 * The same as {@code engram sweep} but for the default output folder ({@code reproductions/}).
 */
@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description =
        "Train the conditions and seeds of a reproduction plan (side by side, or as a Slurm job"
            + " array with --executor slurm), analyse every run and write report.md with figures"
            + " and the findings of the plan's study. Continue a stopped reproduction by passing"
            + " its directory.")
final class ReproduceCommand extends PlanCommand {

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  String name() {
    return "reproduce";
  }

  @Override
  Path defaultOut() {
    return Path.of("reproductions");
  }

  @Override
  Main main() {
    return main;
  }
}
