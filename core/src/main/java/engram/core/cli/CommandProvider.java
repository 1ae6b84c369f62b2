package engram.core.cli;

/**
 * A subcommand of {@code engram} that lives outside core, such as {@code engram bench} (module
 * {@code bench}). {@link Main} finds providers with {@link java.util.ServiceLoader} on its own
 * class path (register the implementation in {@code
 * META-INF/services/engram.core.cli.CommandProvider} and in module-info's {@code provides}) and
 * adds each provider's command after its own, so core names no such command. Plugin jars from the
 * plugins folders are not searched: a command is part of the installation, not of an experiment.
 *
 * <p>Implementations need a public no-argument constructor and must not do work in it.
 */
public interface CommandProvider {

  /**
   * A fresh command object for one invocation of {@code engram}: an instance of a class annotated
   * with picocli's {@code @Command} (its {@code name} is the subcommand's name, which must differ
   * from core's commands and from other providers'), whose package picocli may read reflectively.
   *
   * @param context what the command may ask of core; valid for this invocation, and to be used only
   *     once the command runs (the command line has not been parsed when this is called)
   */
  Object command(CommandContext context);
}
