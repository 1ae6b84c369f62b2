package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.random.RandomGenerator;
import org.apiguardian.api.API;

/**
 * A family of recurrent networks (leaky RNN, GRU, LSTM, ...). The plugin itself is a cheap,
 * stateless factory; {@link #create} builds one {@link Cell}, and core runs it over sequences (see
 * {@link Network}). A model that also has a fast whole-sequence implementation for some of its
 * cells implements {@link SequenceKernel.Provider} too.
 *
 * @param <C> configuration record (hidden size, nonlinearity, τ options, ...)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Model<C extends Record> extends Plugin<C> {

  /**
   * Creates a cell with freshly initialised parameters.
   *
   * @param config validated configuration
   * @param spec input size and floating-point type
   * @param rng the only source of randomness for initialisation: the same generator state and
   *     arguments give the same parameters, bit for bit
   * @return a new cell that shares no arrays with any other; its parameters are of {@code
   *     spec.dataType()}, and it is used by one thread at a time
   * @throws IllegalArgumentException when the configuration does not fit {@code spec}
   */
  Cell create(C config, NetworkSpec spec, RandomGenerator rng);
}
