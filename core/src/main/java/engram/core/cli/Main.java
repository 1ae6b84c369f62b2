package engram.core.cli;

import engram.core.plugin.PluginFolders;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code engram}: train recurrent networks on memory tasks, with every piece a plugin. */
@Command(name = "engram", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Train recurrent networks on memory tasks and find out how they remember.",
    subcommands = {RunCommand.class, ValidateCommand.class, PluginsCommand.class, TrialCommand.class,
        AnalyzeCommand.class, CompareCommand.class, ReproduceCommand.class,
        engram.core.bench.BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit codes, named as picocli names its own. */
  static final int OK = 0;
  static final int SOFTWARE = 1;
  static final int USAGE = 2;
  static final int DIVERGED = 3;
  static final int INTERRUPTED = 130;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  // Inherited, so that it may also follow the subcommand; the value lands in this field either way.
  @Option(names = "--plugins", split = ":", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
      description = "Also load every *.jar in DIR as a plugin (repeatable, or ':'-separated), after"
          + " the launcher's plugins/ folder and $" + PluginFolders.ENVIRONMENT + ".")
  List<Path> pluginFolders = new ArrayList<>();

  private PluginRegistry plugins;

  /**
   * The plugins of this invocation: the built-ins on the class path and every jar in the plugins
   * folders. Discovered on first use, once: loading jars twice would give two copies of their
   * classes.
   */
  public PluginRegistry plugins() {
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
      plugins = PluginRegistry.discover(Main.class.getClassLoader(),
          PluginFolders.resolve(folders));
    }
    return plugins;
  }

  /** {@code --plugins DIR} for each folder given on the command line (to record a run's command). */
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
      System.err.println("warning: OMP_NUM_THREADS is not set; ND4J stalls with several OpenMP "
          + "threads on small machines. Start Engram with ./engram, or export OMP_NUM_THREADS=1.");
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
    return new CommandLine(new Main()).execute(args);
  }

  /** Runs the command line with the given output and error writers; returns the exit code. */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return new CommandLine(new Main()).setOut(out).setErr(err).execute(args);
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
