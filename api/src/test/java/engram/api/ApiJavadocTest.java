package engram.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api is the contract plugin authors read, so every public and protected type, constructor,
 * method and field documents itself completely: runs the JDK's javadoc over the api sources with
 * {@code -Xdoclint:all} (a missing comment, {@code @param}, {@code @return} or {@code @throws}, a
 * broken {@code {@link}} or malformed HTML is a warning) and fails on any warning. The same check
 * makes {@code mvn -pl api javadoc:javadoc} fail. Takes a few seconds.
 */
class ApiJavadocTest {

  @Test
  void everyPublicTypeAndMemberHasCompleteJavadoc(@TempDir Path out) throws IOException {
    List<String> sources;
    try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
      // module-info is left out: ND4J's module descriptors are broken, so javadoc runs on the
      // class path (as the tests do); its comment is checked by javadoc:javadoc
      sources =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !p.getFileName().toString().equals("module-info.java"))
              .map(Path::toString)
              .sorted()
              .toList();
    }
    assertTrue(sources.size() > 20, "api sources not found from " + Path.of("").toAbsolutePath());
    List<String> args =
        new ArrayList<>(
            List.of(
                "-quiet",
                "-protected",
                "-Xdoclint:all",
                "-Xmaxwarns",
                "10000",
                "-Xmaxerrs",
                "10000",
                "-encoding",
                "UTF-8",
                "-d",
                out.toString(),
                "-cp",
                System.getProperty("java.class.path")));
    args.addAll(sources);
    StringWriter output = new StringWriter();
    PrintWriter writer = new PrintWriter(output, true);
    int code =
        ToolProvider.findFirst("javadoc")
            .orElseThrow()
            .run(writer, writer, args.toArray(String[]::new));
    List<String> problems =
        output
            .toString()
            .lines()
            .filter(line -> line.contains(": warning") || line.contains(": error"))
            .toList();
    assertTrue(
        problems.isEmpty(),
        problems.size()
            + " javadoc problems in the api (document"
            + " every public type and member: what it guarantees, shapes, units, randomness):\n"
            + output);
    assertEquals(0, code, output.toString());
  }
}
