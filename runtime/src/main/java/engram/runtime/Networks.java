package engram.runtime;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.SequenceKernel;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** Builds the {@link CellNetwork} around a model's cell. */
public final class Networks {
  private Networks() {}

  /** Whether a model's {@link SequenceKernel} may run the sequence. */
  public enum Kernels {
    /** Use the model's kernel where it offers one (the default everywhere). */
    AUTO,
    /** Always run the cell step by step: the reference, for tests and for checking a result. */
    OFF
  }

  /**
   * Creates a cell with the model and wraps it, using the model's kernel where one applies.
   *
   * @param model the model plugin
   * @param config its validated configuration
   * @param spec input size and data type
   * @param rng the only source of randomness for the initial parameters
   * @param <C> the configuration record
   * @return a new network
   */
  public static <C extends Record> CellNetwork create(
      Model<C> model, C config, NetworkSpec spec, RandomGenerator rng) {
    return create(model, config, spec, rng, Kernels.AUTO);
  }

  /**
   * Creates a cell with the model and wraps it.
   *
   * @param model the model plugin
   * @param config its validated configuration
   * @param spec input size and data type
   * @param rng the only source of randomness for the initial parameters
   * @param kernels whether the model's kernel may be used
   * @param <C> the configuration record
   * @return a new network
   * @throws IllegalStateException naming the model when its cell breaks the cell contract (no
   *     parameters of the spec's type, a state width that is not a multiple of H)
   */
  public static <C extends Record> CellNetwork create(
      Model<C> model, C config, NetworkSpec spec, RandomGenerator rng, Kernels kernels) {
    Objects.requireNonNull(model, "model");
    String name = model.info().id();
    Cell cell =
        Objects.requireNonNull(
            model.create(config, spec, rng), () -> name + ": Model.create returned null");
    for (Parameter p : cell.parameters()) {
      if (p.value().dataType() != spec.dataType()) {
        throw new IllegalStateException(
            name
                + ": parameter '"
                + p.name()
                + "' is "
                + p.value().dataType()
                + " but the network was asked for "
                + spec.dataType());
      }
    }
    SequenceKernel kernel = null;
    if (kernels == Kernels.AUTO && model instanceof SequenceKernel.Provider provider) {
      Optional<SequenceKernel> k = provider.kernel(cell);
      kernel = k == null ? null : k.orElse(null);
    }
    return new CellNetwork(name, cell, kernel, spec.inputSize(), spec.dataType());
  }

  /**
   * Wraps a cell that exists already (a test's, or one built by hand).
   *
   * @param name names the cell in messages
   * @param cell the cell
   * @param kernel a kernel for it, or null to run it step by step
   * @param spec input size and data type of the cell
   * @return a new network around {@code cell}
   */
  public static CellNetwork wrap(String name, Cell cell, SequenceKernel kernel, NetworkSpec spec) {
    return new CellNetwork(name, cell, kernel, spec.inputSize(), spec.dataType());
  }
}
