package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor and META-INF/services must list the same models: tests and the launcher
 * run on the class path, where only META-INF/services is read.
 */
class ServiceDescriptorTest {

  @Test
  void moduleInfoAndServicesFileAgree() throws IOException {
    String moduleInfo = Files.readString(Path.of("src/main/java/module-info.java"));
    Matcher m = Pattern.compile("provides\\s+engram\\.api\\.Model\\s+with\\s+([^;]+);").matcher(moduleInfo);
    assertTrue(m.find(), "module-info.java provides no engram.api.Model");
    Set<String> provided = new TreeSet<>();
    for (String s : m.group(1).split(",")) {
      provided.add(s.trim());
    }
    Set<String> listed =
        Files.readAllLines(Path.of("src/main/resources/META-INF/services/engram.api.Model")).stream()
            .map(l -> l.replaceAll("#.*", "").trim())
            .filter(l -> !l.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(provided, listed);
  }

  @Test
  @SuppressWarnings("rawtypes") // Model.class: the SPI is generic in its config record
  void serviceLoaderFindsTheLeakyRnn() {
    Set<String> ids =
        ServiceLoader.load(Model.class).stream()
            .map(p -> p.get().info().id())
            .collect(Collectors.toSet());
    assertTrue(ids.contains("leaky-rnn"), ids.toString());
  }
}
