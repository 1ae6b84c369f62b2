package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Takes a trained network apart: reads checkpoints of a run, writes results (CSV/JSON/NPY) and
 * figures (PNG) into its own output directory.
 *
 * @param <C> configuration record
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Analyzer<C extends Record> extends Plugin<C> {

  /** One saved state of a run. */
  record Checkpoint(String name, int epoch, int[] levels, Map<String, INDArray> tensors) {}

  /** What an analyzer is given: the run's checkpoints, oldest first, and where to write. */
  interface Context {
    List<Checkpoint> checkpoints();

    /** {@code <run-dir>/analysis/<id>/}, created by core; the analyzer writes only here. */
    Path outputDirectory();
  }

  /** Runs the analysis; throws {@link IllegalStateException} naming what is missing. */
  void analyze(C config, Context context) throws Exception;
}
