package engram.analysis.fixedpoints;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A one-step map s' = F(s, u*) at a fixed input u*, over batches of states: what {@link
 * FixedPointFinder} searches. States are rows of a {@code double[B][S]}. Deterministic.
 */
public interface StepMap {

  /**
   * The width of the state.
   *
   * @return S ≥ 1
   */
  int dimension();

  /**
   * F at every row.
   *
   * @param states {@code [B][S]}; not modified
   * @return F(s_b, u*) for every row b, {@code [B][S]}, new
   */
  double[][] apply(double[][] states);

  /**
   * The vector–Jacobian product Jᵀr per row, J = ∂F/∂s at that row's state (no full Jacobian).
   *
   * @param states {@code [B][S]}; not modified
   * @param r {@code [B][S]}; not modified
   * @return row b = J(s_b)ᵀ r_b, {@code [B][S]}, new
   */
  double[][] vjp(double[][] states, double[][] r);

  /**
   * The full Jacobian at one state.
   *
   * @param state {@code [S]}; not modified
   * @return J_ij = ∂F_i/∂s_j, {@code [S][S]}, new
   */
  double[][] jacobian(double[] state);

  /**
   * The full Jacobians at many states; the default calls {@link #jacobian} per state, a network's
   * map does it in batched calls.
   *
   * @param states {@code [n][S]}; not modified
   * @return {@code [n][S][S]}, J of row b at index b, new
   */
  default double[][][] jacobians(double[][] states) {
    double[][][] out = new double[states.length][][];
    for (int b = 0; b < states.length; b++) {
      out[b] = jacobian(states[b]);
    }
    return out;
  }

  /**
   * The rounding error of one coordinate of F (the unit roundoff of the network's data type times a
   * small factor), so that a search does not demand more than the arithmetic can give.
   *
   * @return ≥ 0; 0 for exact arithmetic
   */
  default double resolution() {
    return 0;
  }

  /**
   * The map of a network's cell at a constant input: F(s, u*) = {@code cell.step(s, u*, null)} on
   * the full state s (an LSTM's [h | c]), Jᵀr from {@code cell.vjp} with gNext = r, and J from
   * {@link Network#jacobian}. States are cast to the network's data type for every call, so a FLOAT
   * network resolves F to about 1e-7 per coordinate.
   *
   * @param network the network; its parameters are read, never changed
   * @param input u*, {@code [I]}
   * @return the map
   */
  static StepMap of(Network network, double[] input) {
    Cell cell = network.cell();
    DataType type =
        network.parameters().isEmpty()
            ? DataType.DOUBLE
            : network.parameters().get(0).value().dataType();
    int width = network.stateSize();
    double[] u = input.clone();
    return new StepMap() {
      @Override
      public int dimension() {
        return width;
      }

      /** Rows as one {@code [n, S]} array of the network's type, through one flat copy. */
      private INDArray matrix(double[][] rows) {
        double[] flat = new double[rows.length * width];
        for (int b = 0; b < rows.length; b++) {
          System.arraycopy(rows[b], 0, flat, b * width, width);
        }
        return Nd4j.createFromArray(flat).reshape(rows.length, width).castTo(type);
      }

      /** An {@code [n, S]} array as rows of doubles, through one flat copy. */
      private double[][] rows(INDArray a) {
        double[] flat = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int n = (int) a.size(0);
        double[][] out = new double[n][width];
        for (int b = 0; b < n; b++) {
          System.arraycopy(flat, b * width, out[b], 0, width);
        }
        return out;
      }

      private Cell.Step step(double[][] states) {
        INDArray s = matrix(states);
        INDArray x = Nd4j.createFromArray(new double[][] {u}).castTo(type).repeat(0, states.length);
        return cell.step(s, x, null);
      }

      @Override
      public double[][] apply(double[][] states) {
        return rows(step(states).next());
      }

      @Override
      public double[][] vjp(double[][] states, double[][] r) {
        Cell.Step step = step(states);
        // vjp adds into parameter gradients we do not need; they only have to exist.
        Map<String, INDArray> sink = new HashMap<>();
        for (Parameter p : cell.parameters()) {
          sink.put(p.name(), Nd4j.zerosLike(p.value()));
        }
        return rows(cell.vjp(step, matrix(r), Map.of(), sink).previous());
      }

      @Override
      public double[][] jacobian(double[] state) {
        INDArray j =
            network.jacobian(
                Nd4j.createFromArray(state).castTo(type), Nd4j.createFromArray(u).castTo(type));
        return j.castTo(DataType.DOUBLE).reshape(width, width).toDoubleMatrix();
      }

      @Override
      public double[][][] jacobians(double[][] states) {
        // J(s_b)ᵀ e_k for every b and k as one VJP over n·S rows (in chunks of ≤ 16,384 rows):
        // row k of the block of s_b gives row k of J(s_b) transposed, i.e. column k of Jᵀ.
        int chunk = Math.max(1, 16_384 / width);
        double[][][] out = new double[states.length][][];
        for (int from = 0; from < states.length; from += chunk) {
          int n = Math.min(chunk, states.length - from);
          double[][] rows = new double[n * width][];
          double[][] unit = new double[n * width][width];
          for (int b = 0; b < n; b++) {
            for (int k = 0; k < width; k++) {
              rows[b * width + k] = states[from + b];
              unit[b * width + k][k] = 1;
            }
          }
          double[][] jt = vjp(rows, unit);
          for (int b = 0; b < n; b++) {
            double[][] j = new double[width][];
            for (int k = 0; k < width; k++) {
              j[k] = jt[b * width + k]; // eₖᵀJ: row k of J
            }
            out[from + b] = j;
          }
        }
        return out;
      }

      @Override
      public double resolution() {
        return type == DataType.DOUBLE ? 1e-15 : type == DataType.FLOAT ? 1e-6 : 1e-2;
      }
    };
  }
}
