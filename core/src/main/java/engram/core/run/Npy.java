package engram.core.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The NPY format (numpy's {@code .npy}, version 1.0): magic {@code \x93NUMPY}, version, a header
 * dict {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces to a
 * multiple of 64 bytes and ending in a newline, then the data in C order, little-endian.
 *
 * <p>Written here rather than with {@code Nd4j.writeAsNumpy}: ND4J 1.0.0-M2.1 writes the raw buffer
 * of a view, so a transposed or sliced array comes out with the wrong values.
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** numpy's name of a supported data type ("float32", ...). */
  static String dtypeName(DataType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      default ->
          throw new IllegalArgumentException(
              "cannot save arrays of type " + type + " (supported: FLOAT, DOUBLE)");
    };
  }

  private static String descr(DataType type) {
    return switch (type) {
      case FLOAT -> "<f4";
      case DOUBLE -> "<f8";
      default -> throw new IllegalArgumentException(dtypeName(type));
    };
  }

  /** The NPY header, magic included, for a C-order array. */
  static byte[] header(DataType type, long[] shape) {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    if (shape.length == 1) {
      dims.append(',');
    }
    String dict =
        "{'descr': '" + descr(type) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    boolean v2 = dict.length() + padding + 1 > 0xFFFF;
    if (v2) {
      unpadded += 2;
      padding = (64 - unpadded % 64) % 64;
    }
    String text = dict + " ".repeat(padding) + "\n";
    byte[] textBytes = text.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf =
        ByteBuffer.allocate(MAGIC.length + (v2 ? 6 : 4) + textBytes.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
    if (v2) {
      buf.putInt(textBytes.length);
    } else {
      buf.putShort((short) textBytes.length);
    }
    buf.put(textBytes);
    return buf.array();
  }

  /** Writes {@code array} (any ordering, views included) as a C-order NPY file. */
  static void write(INDArray array, OutputStream out) throws IOException {
    DataType type = array.dataType();
    long[] shape = array.shape();
    out.write(header(type, shape));
    INDArray c = array.dup('c');
    long length = c.length();
    if (c.data().length() < length) {
      throw new IllegalStateException(
          "array buffer is shorter than the array: " + c.shapeInfoToString());
    }
    ByteBuffer data;
    switch (type) {
      case FLOAT -> {
        float[] values = c.data().asFloat();
        data = ByteBuffer.allocate(Math.toIntExact(length * 4)).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values, 0, (int) length);
      }
      case DOUBLE -> {
        double[] values = c.data().asDouble();
        data = ByteBuffer.allocate(Math.toIntExact(length * 8)).order(ByteOrder.LITTLE_ENDIAN);
        data.asDoubleBuffer().put(values, 0, (int) length);
      }
      default -> throw new IllegalArgumentException("cannot save arrays of type " + type);
    }
    out.write(data.array());
  }

  /** What the header says. */
  record Header(
      DataType type, ByteOrder order, boolean fortranOrder, long[] shape, int dataOffset) {
    long length() {
      return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }
  }

  /** Parses and checks the header; {@code file} names the file in messages. */
  static Header parseHeader(byte[] bytes, String file) {
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IllegalStateException(file + " is not an NPY file (no \\x93NUMPY magic)");
    }
    int major = bytes[6];
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int start;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(buf.getShort(8));
      start = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new IllegalStateException(file + ": truncated NPY header");
      }
      headerLength = buf.getInt(8);
      start = 12;
    } else {
      throw new IllegalStateException(file + ": unsupported NPY version " + major + "." + bytes[7]);
    }
    if (headerLength < 0 || start + headerLength > bytes.length) {
      throw new IllegalStateException(file + ": truncated NPY header");
    }
    String dict =
        new String(
            bytes,
            start,
            headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(dict);
    Matcher fortran = FORTRAN.matcher(dict);
    Matcher shape = SHAPE.matcher(dict);
    if (!descr.find() || !fortran.find() || !shape.find()) {
      throw new IllegalStateException(file + ": malformed NPY header " + dict.trim());
    }
    ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String kind = descr.group(2) + descr.group(3);
    DataType type =
        switch (kind) {
          case "f4" -> DataType.FLOAT;
          case "f8" -> DataType.DOUBLE;
          default ->
              throw new IllegalStateException(
                  file
                      + ": unsupported NPY dtype '"
                      + descr.group(1)
                      + kind
                      + "' (supported: float32 and float64)");
        };
    long[] dims =
        Arrays.stream(shape.group(1).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    return new Header(type, order, fortran.group(1).equals("True"), dims, start + headerLength);
  }

  /** Reads an NPY file into a C-order array of the file's type. */
  static INDArray read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readAllBytes();
    }
    Header header = parseHeader(bytes, file.toString());
    long length = header.length();
    int width = header.type() == DataType.FLOAT ? 4 : 8;
    if (bytes.length - header.dataOffset() != length * width) {
      throw new IllegalStateException(
          file
              + ": expected "
              + length * width
              + " bytes of data for shape "
              + Arrays.toString(header.shape())
              + ", found "
              + (bytes.length - header.dataOffset()));
    }
    ByteBuffer data =
        ByteBuffer.wrap(bytes, header.dataOffset(), bytes.length - header.dataOffset())
            .slice()
            .order(header.order());
    int n = Math.toIntExact(length);
    long[] shape = header.shape();
    char ordering = header.fortranOrder() ? 'f' : 'c';
    INDArray array;
    if (header.type() == DataType.FLOAT) {
      float[] values = new float[n];
      data.asFloatBuffer().get(values);
      array = shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, ordering);
    } else {
      double[] values = new double[n];
      data.asDoubleBuffer().get(values);
      array = shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, ordering);
    }
    return array.ordering() == 'c' ? array : array.dup('c');
  }
}
