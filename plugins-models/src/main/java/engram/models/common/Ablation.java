package engram.models.common;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameter surgery behind {@code Network.ablate}: zeroing one hidden unit's rows (in every
 * gate block), its column, or its entry of a vector, in place in the live parameter arrays.
 *
 * <p>Entries are written one by one with {@code putScalar}: ablation runs once per unit, not per
 * step, so a few G·H scalar writes cost nothing, and they avoid row/column views (a strided
 * elementwise op is slow in ND4J 1.0.0-M2.1, and views at a non-zero buffer offset are buggy with
 * some indexing calls).
 */
public final class Ablation {
  private Ablation() {}

  /**
   * Checks that {@code unit} is a hidden unit.
   *
   * @param model the model's id, for the message
   * @throws IndexOutOfBoundsException naming the unit, H and the valid range
   */
  public static void checkUnit(String model, int unit, int hidden) {
    if (unit < 0 || unit >= hidden) {
      throw new IndexOutOfBoundsException("cannot ablate unit " + unit + " of this " + model
          + " network with H = " + hidden + " hidden units; units are numbered 0.." + (hidden - 1));
    }
  }

  /**
   * Zeroes row {@code unit} of every block of {@code hidden} rows of a {@code [G·H, K]} matrix,
   * i.e. the unit's row in each of the G gate blocks (G = 1 for a plain recurrent or input matrix).
   */
  public static void zeroRowInEveryBlock(INDArray matrix, int unit, int hidden) {
    if (matrix.rank() != 2 || matrix.size(0) % hidden != 0) {
      throw new IllegalArgumentException("expected a [G·" + hidden + ", K] matrix, was "
          + Shapes.shapeOf(matrix));
    }
    long rows = matrix.size(0);
    long columns = matrix.size(1);
    for (long row = unit; row < rows; row += hidden) {
      for (long column = 0; column < columns; column++) {
        matrix.putScalar(row, column, 0.0);
      }
    }
  }

  /** Zeroes column {@code unit} of a matrix: the unit's outgoing weights onto every row. */
  public static void zeroColumn(INDArray matrix, int unit) {
    long rows = matrix.size(0);
    for (long row = 0; row < rows; row++) {
      matrix.putScalar(row, unit, 0.0);
    }
  }

  /** Zeroes entry {@code unit} of a vector {@code [H]}. */
  public static void zeroEntry(INDArray vector, int unit) {
    vector.putScalar(unit, 0.0);
  }
}
