package engram.core.plugin;

import java.util.Set;

/**
 * Something that went wrong while plugins were discovered, and which plugins it may have cost.
 *
 * <p>An experiment that asks for an id no loaded plugin has is told about the problems that may
 * explain it ({@link #mayConcern}): "task 'n-back' is not available: /x/broken.jar was skipped:
 * ...", instead of a bare "unknown id" that leaves the user hunting.
 *
 * @param message one line for the user, naming the jar (or class) and ending with "Fix: ..."
 * @param kinds the kinds of plugin that may be missing because of it; all kinds when unknown (a
 *     corrupt jar), none when nothing is missing (a warning only)
 * @param ids the ids known to be missing; empty when unknown (a provider whose constructor threw
 *     never told its id)
 */
public record PluginProblem(String message, Set<PluginKind> kinds, Set<String> ids) {
  public PluginProblem {
    kinds = Set.copyOf(kinds);
    ids = Set.copyOf(ids);
  }

  /** A problem that costs no plugin: worth a warning, never the reason for a missing id. */
  static PluginProblem warning(String message) {
    return new PluginProblem(message, Set.of(), Set.of());
  }

  /** A problem that may have cost any plugin of the given kinds, ids unknown. */
  static PluginProblem skipped(String message, Set<PluginKind> kinds) {
    return new PluginProblem(message, kinds, Set.of());
  }

  /** Whether the plugin {@code kind}/{@code id} may be missing because of this problem. */
  public boolean mayConcern(PluginKind kind, String id) {
    return kinds.contains(kind) && (ids.isEmpty() || ids.contains(id));
  }

  /** Whether this problem is known to have cost exactly that id. */
  public boolean names(PluginKind kind, String id) {
    return kinds.contains(kind) && ids.contains(id);
  }
}
