package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What every Engram plugin has: a stable id, a typed configuration record and its defaults.
 *
 * <p>Plugins are found with {@link java.util.ServiceLoader}, which instantiates every provider to
 * read its {@link #info()}, used or not. Constructors must therefore be public, take no arguments
 * and do no work; heavy objects (arrays, files) are created by the methods of the plugin kind (for
 * example {@link Model#create}). A plugin holds no mutable state: per-run state lives in the
 * objects it creates. Its methods may therefore be called from several threads at once.
 *
 * <p>Registration: the implementing class is named in {@code META-INF/services/engram.api.Task} (or
 * {@code .Model}, {@code .Curriculum}, {@code .Regularizer}, {@code .Analyzer}, {@code
 * .study.Study}) of its jar; a named module also declares {@code provides}. Engram runs on the
 * class path, where only the services file is read. A plugin jar dropped into Engram's {@code
 * plugins/} folder is loaded in a class loader of its own and must carry the manifest attribute
 * {@code Engram-Api-Version} naming the api version it was compiled against ({@link
 * ApiVersion#current()}, 0.2 for this api); the api and ND4J come from Engram and must not be
 * bundled. {@code examples/plugin-template} is a complete plugin project.
 *
 * @param <C> the configuration record, bound by core from the plugin's section of the experiment
 *     YAML. Record components map to kebab-case keys ({@code hiddenSize} ↔ {@code hidden-size}).
 *     The compact constructor validates values and throws {@link IllegalArgumentException} whose
 *     message starts with the offending key (use {@link engram.api.config.Check}).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Plugin<C extends Record> {

  /**
   * Who this plugin is. Called often (listings, lookups, messages), so it must be cheap and
   * side-effect free.
   *
   * @return id, title and description; never null. The id is what experiment files name, and it
   *     must be the same on every call and unique among plugins of the same kind
   */
  PluginInfo info();

  /**
   * The class core binds this plugin's YAML section to. It must be a public record type with public
   * components, readable by core (not hidden behind a module that does not open it).
   *
   * @return the configuration record's class; never null
   */
  Class<C> configType();

  /**
   * The configuration used for every key the experiment leaves out; also what {@code ./engram
   * plugins} shows as defaults.
   *
   * @return a valid configuration; never null. Records are immutable, so one shared instance may be
   *     returned on every call
   */
  C defaults();
}
