package engram.bench;

import engram.core.cli.CommandContext;
import engram.core.cli.CommandProvider;

/** Adds {@code engram bench} to the launcher when this module is on its class path. */
public final class BenchCommandProvider implements CommandProvider {

  /** For {@link java.util.ServiceLoader}. */
  public BenchCommandProvider() {}

  @Override
  public Object command(CommandContext context) {
    return new BenchCommand(context);
  }
}
