/**
 * The plugin contracts. {@link engram.api.Plugin} is what every plugin has (id, configuration
 * record, defaults); {@link engram.api.Task}, {@link engram.api.Model} (with {@link
 * engram.api.Network} and {@link engram.api.Trajectory}), {@link engram.api.Curriculum}, {@link
 * engram.api.Regularizer}, {@link engram.api.Analyzer} and {@link engram.api.study.Study} (in
 * {@code engram.api.study}, with the {@link engram.api.table.Table}s it reads) are the six kinds
 * core discovers with {@link java.util.ServiceLoader}.
 *
 * <p>Conventions that hold across the api: arrays are time-major ({@code [T, B, ...]}: T steps, B
 * sequences, H hidden units, I inputs) and C-order; randomness comes only from the {@link
 * java.util.random.RandomGenerator} passed in, so the same generator state gives the same result;
 * plugins are stateless and may be called from several threads, while a {@link engram.api.Network}
 * is used by one thread at a time; validation errors are {@link IllegalArgumentException}s whose
 * message starts with the offending key or names the plugin.
 */
package engram.api;
