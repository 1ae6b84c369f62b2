package engram.core.cli;

import engram.core.step.StepObserver;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command from outside core's own list, registered in this module's test {@code
 * META-INF/services}: {@code test-models} prints the installed models and, with {@code --yaml},
 * resolves an experiment through the {@link CommandContext} as a module's command would.
 */
public final class TestCommandProvider implements CommandProvider {

  @Override
  public Object command(CommandContext context) {
    return new ModelsCommand(context);
  }

  @Command(name = "test-models", description = "Prints the installed models (tests only).")
  static final class ModelsCommand implements Callable<Integer> {
    private final CommandContext context;

    @Spec CommandSpec spec;

    @Option(names = "--yaml", description = "An experiment to resolve.")
    String yaml;

    @Option(names = "--crash", description = "Fails as a bug would.")
    boolean crash;

    ModelsCommand(CommandContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (crash) {
        throw new IllegalStateException("a bug", new ArithmeticException("the cause"));
      }
      spec.commandLine().getOut().println(String.join(",", context.modelIds()));
      if (yaml != null) {
        try {
          context.fixedBatchTrainer(yaml, StepObserver.NONE);
        } catch (IllegalArgumentException e) {
          spec.commandLine().getErr().println("error: " + e.getMessage());
          return 2;
        }
      }
      return 0;
    }
  }
}
