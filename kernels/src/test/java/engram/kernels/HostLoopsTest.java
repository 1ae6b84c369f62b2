package engram.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The ND4J 1.0.0-M2.1 facts {@link HostLoops} and {@link Buffers} rely on: where a view's pointer
 * points, which arrays count as contiguous, and views made from the allocation with an absolute
 * offset; and the copies built on them.
 */
class HostLoopsTest {

  /** [10, 4, 3] holding 0, 1, 2, … in C order. */
  private static INDArray counting(DataType type) {
    return Nd4j.arange(120).castTo(type).reshape(10, 4, 3);
  }

  private static INDArray steps(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
  }

  @Test
  void contiguousArraysAndViewsAreRecognisedAndOthersAreNot() {
    INDArray a = counting(DataType.FLOAT);
    assertTrue(HostLoops.contiguous(a));
    assertTrue(HostLoops.contiguous(steps(a, 0, 6)), "leading steps: offset 0, shorter");
    assertTrue(HostLoops.contiguous(steps(a, 2, 6)), "steps at an offset");
    assertTrue(HostLoops.contiguous(counting(DataType.DOUBLE)));
    assertTrue(HostLoops.contiguous(Nd4j.zeros(DataType.FLOAT, 5)));
    assertTrue(HostLoops.contiguous(Nd4j.zeros(DataType.FLOAT, 5, 1)));
    assertFalse(HostLoops.contiguous(a.reshape(40, 3).transpose()), "transposed");
    assertFalse(HostLoops.contiguous(a.reshape(40, 3).getColumn(1)), "a strided column");
    assertFalse(
        HostLoops.contiguous(
            a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3), NDArrayIndex.all())),
        "gaps");
    assertFalse(
        HostLoops.contiguous(Nd4j.create(DataType.FLOAT, new long[] {4, 3}, 'f')), "Fortran order");
    assertFalse(HostLoops.contiguous(counting(DataType.INT32)), "neither FLOAT nor DOUBLE");
    assertTrue(HostLoops.dense(steps(a, 2, 6), DataType.FLOAT));
    assertFalse(HostLoops.dense(a, DataType.DOUBLE), "another type");
  }

  @Test
  void wholeArrayReadAndWriteGoInCOrderContiguousOrNot() {
    INDArray a = counting(DataType.FLOAT);
    INDArray column = a.reshape(40, 3).getColumn(1);
    double[] values = new double[40];
    HostLoops.read(column, values);
    for (int i = 0; i < 40; i++) {
      assertEquals(3 * i + 1, values[i], 0.0);
    }
    values[5] = -0.1;
    HostLoops.write(column, values);
    assertEquals((float) -0.1, a.reshape(120).getFloat(16), 0f, "written through the view");
    INDArray d = steps(counting(DataType.DOUBLE), 1, 2);
    double[] twelve = new double[12];
    HostLoops.read(d, twelve);
    assertEquals(12.0, twelve[0], 0.0);
    twelve[11] = Math.PI;
    HostLoops.write(d, twelve);
    assertEquals(Math.PI, d.getDouble(0, 3, 2), 0.0);
  }

  @Test
  void aViewsPointerStartsAtItsFirstElement() {
    INDArray a = counting(DataType.FLOAT);
    INDArray view = steps(a, 2, 6);
    float[] first = new float[5];
    HostLoops.get(HostLoops.pointer(view), 0, first, 5);
    assertArrayEquals(new float[] {24, 25, 26, 27, 28}, first, 0f);

    INDArray d = steps(counting(DataType.DOUBLE), 3, 5);
    double[] values = new double[2];
    HostLoops.get(HostLoops.pointer(d), 10, values, 2);
    assertArrayEquals(new double[] {46, 47}, values, 0.0);
  }

  @Test
  void rowsOfAnArrayOrOfAViewAtAnOffsetAreTheRightElementsAndWritable() {
    for (int start : new int[] {0, 2}) {
      INDArray a = counting(DataType.FLOAT);
      INDArray view = steps(a, start, 8);
      INDArray expected =
          view.dup()
              .reshape((8 - start) * 4, 3)
              .get(NDArrayIndex.interval(5, 9), NDArrayIndex.all());
      INDArray rows = Buffers.rows(view, 5, 4, 3);
      assertEquals(expected, rows, "rows 5..8 of steps " + start + "..7");
      // gemm writes through the view into the allocation, nowhere else
      INDArray before = a.dup();
      Nd4j.gemm(
          Nd4j.ones(DataType.FLOAT, 4, 2),
          Nd4j.ones(DataType.FLOAT, 2, 3),
          rows,
          false,
          false,
          1.0,
          1.0);
      INDArray changed = a.sub(before).reshape(120);
      for (int i = 0; i < 120; i++) {
        boolean inside = i >= (start * 12 + 15) && i < (start * 12 + 27);
        assertEquals(inside ? 2.0 : 0.0, changed.getDouble(i), 0.0, "element " + i);
      }
    }
  }

  @Test
  void matrixViewsTheStartOfAScratchBuffer() {
    INDArray flat = Nd4j.create(DataType.DOUBLE, 20);
    INDArray m = Buffers.matrix(flat, 3, 4);
    Nd4j.gemm(
        Nd4j.ones(DataType.DOUBLE, 3, 2),
        Nd4j.ones(DataType.DOUBLE, 2, 4),
        m,
        false,
        false,
        1.0,
        0.0);
    assertEquals(24.0, flat.sumNumber().doubleValue(), 0.0);
    assertEquals(0.0, flat.getDouble(12), 0.0);
    assertThrows(IllegalArgumentException.class, () -> Buffers.matrix(flat, 3, 7));
  }

  @Test
  void zeroClearsExactlyTheArrayContiguousOrNot() {
    INDArray a = counting(DataType.FLOAT).addi(1);
    HostLoops.zero(steps(a, 2, 5));
    INDArray flat = a.reshape(120);
    for (int i = 0; i < 120; i++) {
      assertEquals(i >= 24 && i < 60 ? 0.0 : i + 1, flat.getDouble(i), 0.0, "element " + i);
    }
    INDArray b = counting(DataType.DOUBLE).addi(1);
    HostLoops.zero(b.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()));
    assertEquals(
        0.0,
        b.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all())
            .sumNumber()
            .doubleValue(),
        0.0);
    assertEquals(
        b.reshape(120).sumNumber().doubleValue(),
        120 * 121 / 2.0 - sumOfColumnOne(),
        0.0,
        "only the strided view was cleared");
  }

  /** Sum of 1 + the counting values at (t, 1, k). */
  private static double sumOfColumnOne() {
    double s = 0;
    for (int t = 0; t < 10; t++) {
      for (int k = 0; k < 3; k++) {
        s += t * 12 + 3 + k + 1;
      }
    }
    return s;
  }

  @Test
  void stagingWidensAndRoundsFloat32AndCopiesFloat64() {
    HostLoops.Staging staging = new HostLoops.Staging();
    INDArray f = steps(counting(DataType.FLOAT), 1, 3).divi(7);
    double[] into = new double[8];
    staging.read(f, 2, into, 3, 4);
    for (int i = 0; i < 4; i++) {
      assertEquals((double) ((14 + i) / 7.0f), into[3 + i], 0.0);
    }
    double[] values = {Math.PI, -1.0 / 3, 1e-40, 5};
    staging.write(f, 20, values, 1, 3);
    assertEquals((float) (-1.0 / 3), f.reshape(24).getFloat(20), 0f);
    assertEquals((float) 1e-40, f.reshape(24).getFloat(21), 0f);
    assertEquals(5f, f.reshape(24).getFloat(22), 0f);

    INDArray d = Nd4j.zeros(DataType.DOUBLE, 6);
    staging.write(d, 1, values, 0, 4);
    double[] back = new double[4];
    staging.read(d, 1, back, 0, 4);
    assertArrayEquals(values, back, 0.0);
  }
}
