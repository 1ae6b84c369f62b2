package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginFolders;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import engram.core.step.FixedBatchTrainer;
import engram.core.step.StepObserver;
import engram.core.train.StopSignal;
import engram.core.train.TrainingObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code engram}: train recurrent networks on memory tasks, with every piece a plugin. Core's own
 * commands are listed here; commands of other modules on the class path (such as {@code bench}) are
 * added through {@link CommandProvider}, then {@code help}.
 */
@Command(
    name = "engram",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train recurrent networks on memory tasks and find out how they remember.",
    footer = {
      "",
      "Memory: the launcher ./engram gives Java a budget of half the machine's memory (or the"
          + " container's limit): a heap (-Xmx) of 256 MB + 256 MB per run trained side by side"
          + " (at most a quarter), the rest for ND4J's arrays (org.bytedeco.javacpp.maxBytes)."
          + " Change it with ENGRAM_MEMORY=8g ./engram ...; an -Xmx or maxBytes in JAVA_OPTS"
          + " wins. A run that cannot fit is refused before it starts, with the fix.",
      "Exit codes: 0 done, 1 failed (a full disk, an internal error), 2 bad input, 3 diverged,"
          + " 130 stopped (Ctrl-C)."
    },
    subcommands = {
      RunCommand.class,
      ResumeCommand.class,
      ValidateCommand.class,
      PluginsCommand.class,
      TrialCommand.class,
      AnalyzeCommand.class,
      CompareCommand.class,
      ReproduceCommand.class,
      SweepCommand.class
    })
public final class Main implements Runnable {
  /** Exit codes, named as picocli names its own. */
  static final int OK = 0;

  static final int SOFTWARE = 1;
  static final int USAGE = 2;
  static final int DIVERGED = 3;
  static final int INTERRUPTED = 130;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // Inherited, so that it may also follow the subcommand; the value lands in this field either way.
  @Option(
      names = "--plugins",
      split = ":",
      paramLabel = "DIR",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "Also load every *.jar in DIR as a plugin (repeatable, or ':'-separated), after"
              + " the launcher's plugins/ folder and $"
              + PluginFolders.ENVIRONMENT
              + ".")
  List<Path> pluginFolders = new ArrayList<>();

  private PluginRegistry plugins;

  /**
   * The plugins of this invocation: the built-ins on the class path and every jar in the plugins
   * folders. Discovered on first use, once: loading jars twice would give two copies of their
   * classes.
   */
  PluginRegistry plugins() {
    return plugins(List.of());
  }

  /**
   * As {@link #plugins()}, also searching {@code moreFolders} (after the others) when this is the
   * first call; {@code engram analyze} passes the folders of the jars a run used.
   */
  PluginRegistry plugins(List<Path> moreFolders) {
    if (plugins == null) {
      List<Path> folders = new ArrayList<>(pluginFolders);
      folders.addAll(moreFolders);
      plugins =
          PluginRegistry.discover(Main.class.getClassLoader(), PluginFolders.resolve(folders));
    }
    return plugins;
  }

  /**
   * {@code --plugins DIR} for each folder given on the command line (to record a run's command).
   */
  List<String> pluginArguments() {
    List<String> args = new ArrayList<>();
    pluginFolders.forEach(f -> args.addAll(List.of("--plugins", f.toString())));
    return args;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    if (System.getenv("OMP_NUM_THREADS") == null) {
      // Read by ND4J's native code at load time, so it cannot be set from here.
      System.err.println(
          "warning: OMP_NUM_THREADS is not set; ND4J stalls with several OpenMP threads on small"
              + " machines. Start Engram with ./engram, or export OMP_NUM_THREADS=1.");
    }
    java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
    java.io.PrintWriter err = new java.io.PrintWriter(System.err, true);
    int code = execute(out, err, args);
    out.flush(); // print() without a newline does not flush by itself
    err.flush();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (for tests: no System.exit). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the command line with the given output and error writers; returns the exit code. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return commandLine().setOut(out).setErr(err).execute(args);
  }

  /**
   * A fresh command line: core's commands, then the command of every {@link CommandProvider} on the
   * class path (in the order {@link ServiceLoader} finds them), then {@code help}.
   */
  private static CommandLine commandLine() {
    Main main = new Main();
    CommandLine line = new CommandLine(main);
    for (CommandProvider provider :
        ServiceLoader.load(CommandProvider.class, Main.class.getClassLoader())) {
      line.addSubcommand(provider.command(main.new Context()));
    }
    return line.addSubcommand(new CommandLine.HelpCommand())
        .setExecutionExceptionHandler(Main::internalError);
  }

  /** The stack trace of {@code e} and its causes, as the JVM prints it. */
  static String trace(Throwable e) {
    StringBuilder text = new StringBuilder();
    String prefix = "";
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      text.append(prefix).append(t).append('\n');
      for (StackTraceElement frame : t.getStackTrace()) {
        text.append("\tat ").append(frame).append('\n');
      }
      prefix = "Caused by: ";
    }
    return text.toString();
  }

  /**
   * An exception no command expected (a bug in Engram or a plugin): one line on the console, and
   * the full stack trace in a file the line names, instead of a stack trace on the console.
   */
  private static int internalError(
      Exception e, CommandLine line, CommandLine.ParseResult parseResult) {
    java.io.PrintWriter err = line.getErr();
    String message = e.getMessage() == null ? e.toString() : e.toString().split("\\R", 2)[0];
    try {
      Path trace =
          Files.createTempFile(
              "engram-error-" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + "-", ".txt");
      Files.writeString(trace, String.join(" ", parseResult.originalArgs()) + "\n" + trace(e));
      err.println(
          "error: internal error: "
              + message
              + ". The full trace is in "
              + trace
              + "; please report it with that file.");
    } catch (java.io.IOException | RuntimeException io) {
      err.println(
          "error: internal error: " + message + " (its trace could not be saved: " + io + ")");
    }
    err.flush();
    return SOFTWARE;
  }

  /** What this invocation offers the commands of {@link CommandProvider}s. */
  private final class Context implements CommandContext {

    @Override
    public List<String> modelIds() {
      return registry().all(PluginKind.MODEL).stream().map(DiscoveredPlugin::id).sorted().toList();
    }

    @Override
    public FixedBatchTrainer fixedBatchTrainer(String yaml, StepObserver observer) {
      ResolvedExperiment resolved;
      try {
        resolved =
            new ExperimentLoader(registry())
                .load(yaml, "the command's experiment", "experiment", List.of());
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      return ExperimentModule.trainer(
              resolved, new TrainingObserver() {}, observer, new StopSignal())
          ::trainOnBatch;
    }

    /** The plugins, discovered once even when a command asks from several threads. */
    private PluginRegistry registry() {
      synchronized (Main.this) {
        return plugins();
      }
    }
  }

  /** The version from core's jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"engram " + version(), "Java " + System.getProperty("java.version")};
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "DEVELOPMENT" : v;
  }
}
