package engram.core.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code plugins/README.md} lists the libraries a plugin finds at run time with their versions;
 * they must be the versions the build pins (the root pom), so the table cannot go stale.
 */
class PluginRuntimeDocTest {

  @Test
  void theRuntimeTableNamesTheVersionsTheBuildPins() throws Exception {
    String pom = Files.readString(Path.of("../pom.xml"));
    String readme = Files.readString(Path.of("../plugins/README.md"));
    Map<String, String> rows =
        Map.of(
            "`engram-api` | api ", property(pom, "engram.api.version"),
            "(`nd4j-api`, CPU backend `nd4j-native`) | ", property(pom, "nd4j.version"),
            "(`slf4j-api`) | ", property(pom, "slf4j.version"),
            "(`xchart`) | ", property(pom, "xchart.version"),
            "(`commons-math3`) | ", artifactVersion(pom, "commons-math3"),
            "(`jackson-databind`, YAML) | ", property(pom, "jackson.version"),
            "Guice | ", property(pom, "guice.version"),
            "picocli | ", property(pom, "picocli.version"));
    rows.forEach(
        (row, version) ->
            assertTrue(
                readme.contains(row + version + " |"),
                "plugins/README.md should say '" + row + version + " |'"));
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertTrue(m.find(), "no property " + name + " in the root pom");
    return m.group(1);
  }

  private static String artifactVersion(String pom, String artifact) {
    Matcher m =
        Pattern.compile(
                "<artifactId>"
                    + Pattern.quote(artifact)
                    + "</artifactId><version>([^<]+)</version>")
            .matcher(pom);
    assertTrue(m.find(), "no version of " + artifact + " in the root pom");
    return m.group(1);
  }
}
