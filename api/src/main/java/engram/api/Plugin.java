package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What every Engram plugin has: a stable id, a typed configuration record and its defaults.
 *
 * <p>Plugins are found with {@link java.util.ServiceLoader}, which instantiates every provider to
 * read its {@link #info()}, used or not. Constructors must therefore be public, take no arguments
 * and do no work; heavy objects (arrays, files) are created by the methods of the plugin kind
 * (for example {@link Model#create}). A plugin holds no mutable state: per-run state lives in the
 * objects it creates.
 *
 * @param <C> the configuration record, bound by core from the plugin's section of the experiment
 *     YAML. Record components map to kebab-case keys ({@code hiddenSize} ↔ {@code hidden-size}).
 *     The compact constructor validates values and throws {@link IllegalArgumentException} whose
 *     message starts with the offending key (use {@link engram.api.config.Check}).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Plugin<C extends Record> {

  /** Id, title and description; never null. The id is what experiment files name. */
  PluginInfo info();

  /** The configuration record's class; never null. */
  Class<C> configType();

  /** The configuration used for every key the experiment leaves out; never null. */
  C defaults();
}
