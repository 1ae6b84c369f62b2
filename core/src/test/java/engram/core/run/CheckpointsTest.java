package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.api.Analyzer;
import engram.api.Parameter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointsTest {
  @TempDir Path dir;
  private RunDirectory run;

  @BeforeEach
  void newRun() throws Exception {
    run = RunDirectory.create(dir, "run", Instant.EPOCH);
  }

  private static List<Parameter> tensors(DataType type) {
    INDArray w =
        Nd4j.create(new double[] {1.5, -2, 3.25, 4, 5, 1.0 / 3}, new long[] {2, 3}, 'c')
            .castTo(type);
    INDArray wT = w.transpose(); // a view: [3, 2], not C-contiguous
    INDArray fOrder = Nd4j.create(new double[] {1, 2, 3, 4}, new long[] {2, 2}, 'f').castTo(type);
    INDArray taus = Nd4j.create(new double[] {0.1, 0.2, 0.3}, new long[] {3}, 'c').castTo(type);
    INDArray scalar = Nd4j.scalar(7.0).castTo(type);
    return List.of(
        new Parameter("w_rec", w, true),
        new Parameter("w_rec_t", wT, true),
        new Parameter("f_order", fOrder, true),
        new Parameter("taus", taus, false),
        new Parameter("bias", scalar, true));
  }

  private void roundTrip(DataType type, String dtype) throws Exception {
    List<Parameter> saved = tensors(type);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("loss", 0.25);
    extra.put("heads", List.of(0, 1));
    Path dirOut = Checkpoints.write(run, "epoch-0003", 3, 300, new int[] {2, 3}, saved, extra);
    assertEquals(run.checkpoints().resolve("epoch-0003"), dirOut);

    Analyzer.Checkpoint back = Checkpoints.read(dirOut);
    assertEquals("epoch-0003", back.name());
    assertEquals(3, back.epoch());
    assertArrayEquals(new int[] {2, 3}, back.levels());
    assertEquals(
        List.of("w_rec", "w_rec_t", "f_order", "taus", "bias"),
        List.copyOf(back.tensors().keySet()));
    for (Parameter p : saved) {
      INDArray value = back.tensors().get(p.name());
      assertEquals(type, value.dataType(), p.name());
      assertArrayEquals(p.value().shape(), value.shape(), p.name());
      assertEquals(p.value(), value, p.name());
    }
    assertEquals(3.25, back.tensors().get("w_rec_t").getDouble(2, 0)); // wT[2, 0] = w[0, 2]
    assertEquals(
        3.0, back.tensors().get("f_order").getDouble(0, 1)); // column-major [[1, 3], [2, 4]]

    JsonNode index = new ObjectMapper().readTree(dirOut.resolve("index.json").toFile());
    assertEquals("epoch-0003", index.get("name").asText());
    assertEquals(3, index.get("epoch").asInt());
    assertEquals(300, index.get("step").asLong());
    assertEquals("[2,3]", index.get("levels").toString());
    assertEquals(0.25, index.get("loss").asDouble());
    assertEquals("[0,1]", index.get("heads").toString());
    JsonNode taus = index.get("tensors").get(3);
    assertEquals("taus", taus.get("name").asText());
    assertEquals("taus.npy", taus.get("file").asText());
    assertEquals("[3]", taus.get("shape").toString());
    assertEquals(dtype, taus.get("dtype").asText());
    assertFalse(taus.get("trainable").asBoolean());
    assertEquals("[]", index.get("tensors").get(4).get("shape").toString());

    Checkpoints.Index parsed = Checkpoints.readIndex(dirOut);
    assertEquals(300, parsed.step());
    assertEquals(Map.of("loss", 0.25, "heads", List.of(0, 1)), parsed.extra());
  }

  @Test
  void roundTripFloat32() throws Exception {
    roundTrip(DataType.FLOAT, "float32");
  }

  @Test
  void roundTripFloat64() throws Exception {
    roundTrip(DataType.DOUBLE, "float64");
  }

  @Test
  void npyFilesAreStandard() throws Exception {
    List<Parameter> saved = tensors(DataType.FLOAT);
    Path out = Checkpoints.write(run, "c", 0, 0, new int[] {2}, saved, Map.of());
    assertNpy(
        out.resolve("w_rec_t.npy"), "<f4", "(3, 2)", new double[] {1.5, 4, -2, 5, 3.25, 1.0 / 3});
    assertNpy(out.resolve("f_order.npy"), "<f4", "(2, 2)", new double[] {1, 3, 2, 4});
    assertNpy(out.resolve("taus.npy"), "<f4", "(3,)", new double[] {0.1, 0.2, 0.3});
    assertNpy(out.resolve("bias.npy"), "<f4", "()", new double[] {7});
    Path out64 =
        Checkpoints.write(run, "d", 0, 0, new int[] {2}, tensors(DataType.DOUBLE), Map.of());
    assertNpy(
        out64.resolve("w_rec.npy"), "<f8", "(2, 3)", new double[] {1.5, -2, 3.25, 4, 5, 1.0 / 3});
  }

  /** Checks the NPY 1.0 layout byte by byte. */
  private static void assertNpy(Path file, String descr, String shape, double[] expected)
      throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(bytes, 8));
    int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLength) % 64, "header is padded to 64 bytes");
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.endsWith("\n"), header);
    assertEquals(
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }",
        header.stripTrailing());
    int width = descr.equals("<f4") ? 4 : 8;
    assertEquals(expected.length * width, bytes.length - 10 - headerLength, "data length");
    ByteBuffer data =
        ByteBuffer.wrap(bytes, 10 + headerLength, expected.length * width)
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < expected.length; i++) {
      double actual = width == 4 ? data.getFloat() : data.getDouble();
      assertEquals(width == 4 ? (float) expected[i] : expected[i], actual, file + " element " + i);
    }
  }

  @Test
  void npyReaderRejectsForeignFiles() throws Exception {
    Path bad = dir.resolve("bad.npy");
    Files.writeString(bad, "not numpy");
    assertEquals(
        bad + " is not an NPY file (no \\x93NUMPY magic)",
        assertThrows(IllegalStateException.class, () -> Npy.read(bad)).getMessage());
    ByteArrayOutputStream ints = new ByteArrayOutputStream();
    ints.write(Npy.header(DataType.FLOAT, new long[] {1}));
    byte[] b = ints.toByteArray();
    String text = new String(b, StandardCharsets.ISO_8859_1).replace("<f4", "<i4");
    Files.write(bad, (text).getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(
        assertThrows(IllegalStateException.class, () -> Npy.read(bad))
            .getMessage()
            .endsWith("unsupported NPY dtype '<i4' (supported: float32 and float64)"));
  }

  @Test
  void writesAtomicallyAndLeavesNoTemporaryDirectory() throws Exception {
    Checkpoints.write(run, "epoch-1", 1, 10, new int[] {2}, tensors(DataType.FLOAT), Map.of());
    try (Stream<Path> children = Files.list(run.checkpoints())) {
      assertEquals(List.of("epoch-1"), children.map(p -> p.getFileName().toString()).toList());
    }
    // a failing write (an unsupported tensor type) leaves neither the checkpoint nor a temp dir
    List<Parameter> bad =
        List.of(
            new Parameter("ok", Nd4j.zeros(DataType.FLOAT, 2), true),
            new Parameter("ints", Nd4j.zeros(DataType.INT32, 2), true));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpoints.write(run, "epoch-2", 2, 20, new int[] {2}, bad, Map.of()));
    assertEquals(
        "tensor 'ints': cannot save arrays of type INT (supported: FLOAT, DOUBLE)", e.getMessage());
    try (Stream<Path> children = Files.list(run.checkpoints())) {
      assertEquals(List.of("epoch-1"), children.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void refusesAnExistingNameAndBadArguments() throws Exception {
    Path first =
        Checkpoints.write(run, "best", 1, 10, new int[] {2}, tensors(DataType.FLOAT), Map.of());
    byte[] before = Files.readAllBytes(first.resolve("index.json"));
    assertThrows(
        FileAlreadyExistsException.class,
        () ->
            Checkpoints.write(
                run, "best", 2, 20, new int[] {3}, tensors(DataType.FLOAT), Map.of()));
    assertArrayEquals(before, Files.readAllBytes(first.resolve("index.json")));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoints.write(run, "../x", 1, 1, new int[] {2}, List.of(), Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoints.write(run, "x", 1, 1, new int[] {2}, List.of(), Map.of("epoch", 3)));
    INDArray a = Nd4j.zeros(DataType.FLOAT, 1);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Checkpoints.write(
                run,
                "x",
                1,
                1,
                new int[] {2},
                List.of(new Parameter("a", a, true), new Parameter("a", a, true)),
                Map.of()));
  }

  @Test
  void unsafeTensorNamesGetSafeFileNames() throws Exception {
    INDArray a = Nd4j.ones(DataType.FLOAT, 2);
    Path out =
        Checkpoints.write(
            run,
            "n",
            0,
            0,
            new int[] {1},
            List.of(
                new Parameter("adam/m:w", a, false),
                new Parameter("adam_m_w", a, false),
                new Parameter("index", a, true)),
            Map.of());
    assertTrue(Files.isRegularFile(out.resolve("adam_m_w.npy")));
    assertTrue(Files.isRegularFile(out.resolve("adam_m_w-2.npy")));
    assertTrue(Files.isRegularFile(out.resolve("_index.npy")));
    assertEquals(
        List.of("adam/m:w", "adam_m_w", "index"),
        List.copyOf(Checkpoints.read(out).tensors().keySet()));
  }

  @Test
  void brokenCheckpointsNameTheMissingFile() throws Exception {
    Path out =
        Checkpoints.write(run, "broken", 1, 10, new int[] {2}, tensors(DataType.FLOAT), Map.of());
    Files.delete(out.resolve("taus.npy"));
    assertEquals(
        "checkpoint " + out + " is incomplete: taus.npy (tensor 'taus') is missing",
        assertThrows(IllegalStateException.class, () -> Checkpoints.read(out)).getMessage());
    Files.delete(out.resolve("index.json"));
    assertEquals(
        "checkpoint " + out + " is incomplete: index.json is missing",
        assertThrows(IllegalStateException.class, () -> Checkpoints.read(out)).getMessage());
  }

  @Test
  void readAllReturnsCheckpointsOldestFirstAndSkipsTemporaryDirectories() throws Exception {
    List<Parameter> t = List.of(new Parameter("w", Nd4j.ones(DataType.FLOAT, 2), true));
    Checkpoints.write(run, "late", 5, 500, new int[] {3}, t, Map.of());
    Checkpoints.write(run, "early", 1, 100, new int[] {2}, t, Map.of());
    Files.createDirectory(run.checkpoints().resolve(".tmp-crashed-123"));
    assertEquals(
        List.of("early", "late"),
        Checkpoints.readAll(run.checkpoints()).stream().map(Analyzer.Checkpoint::name).toList());
  }

  @Test
  void scanReadsTheCompleteCheckpointsAndNamesEachDamagedOne() throws Exception {
    List<Parameter> t = List.of(new Parameter("w", Nd4j.ones(DataType.FLOAT, 2), true));
    Checkpoints.write(run, "epoch-1", 1, 100, new int[] {2}, t, Map.of());
    Checkpoints.write(run, "epoch-2", 2, 200, new int[] {2}, t, Map.of());
    Path missingTensor = Checkpoints.write(run, "epoch-3", 3, 300, new int[] {2}, t, Map.of());
    Files.delete(missingTensor.resolve("w.npy"));
    Path truncated = Checkpoints.write(run, "epoch-4", 4, 400, new int[] {3}, t, Map.of());
    byte[] index = Files.readAllBytes(truncated.resolve("index.json"));
    Files.write(truncated.resolve("index.json"), java.util.Arrays.copyOf(index, index.length / 2));
    Files.createDirectory(run.checkpoints().resolve("stray-empty-folder"));
    Files.writeString(run.checkpoints().resolve("notes.txt"), "a user's file");

    Checkpoints.Scan scan = Checkpoints.scan(run.checkpoints());
    assertEquals(
        List.of("epoch-1", "epoch-2"),
        scan.complete().stream().map(Analyzer.Checkpoint::name).toList());
    assertEquals(3, scan.skipped().size(), scan.skipped().toString());
    assertTrue(scan.skipped().get(0).startsWith("epoch-3: "), scan.skipped().toString());
    assertTrue(scan.skipped().get(0).contains("w.npy"), scan.skipped().get(0));
    assertTrue(
        scan.skipped().get(1).startsWith("epoch-4: " + truncated.resolve("index.json"))
            && scan.skipped().get(1).contains("is not valid JSON"),
        scan.skipped().get(1));
    assertEquals(
        "stray-empty-folder: checkpoint "
            + run.checkpoints().resolve("stray-empty-folder")
            + " is incomplete: index.json is missing",
        scan.skipped().get(2));
    IllegalStateException strict =
        assertThrows(IllegalStateException.class, () -> Checkpoints.readAll(run.checkpoints()));
    assertTrue(strict.getMessage().contains("epoch-3: "), strict.getMessage());
  }
}
