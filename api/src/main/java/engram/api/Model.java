package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.random.RandomGenerator;
import org.apiguardian.api.API;

/**
 * A family of recurrent networks (leaky RNN, GRU, LSTM, ...). The plugin itself is a cheap,
 * stateless factory; {@link #create} builds the network and its arrays.
 *
 * @param <C> configuration record (hidden size, nonlinearity, τ options, ...)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Model<C extends Record> extends Plugin<C> {

  /**
   * Creates a network with freshly initialised parameters.
   *
   * @param config validated configuration
   * @param spec input size and floating-point type
   * @param rng the only source of randomness for initialisation: the same generator state and
   *     arguments give the same parameters, bit for bit
   * @return a new network that shares no arrays with any other; its parameters are of {@code
   *     spec.dataType()}, and it is used by one thread at a time
   * @throws IllegalArgumentException when the configuration does not fit {@code spec}
   */
  Network create(C config, NetworkSpec spec, RandomGenerator rng);
}
