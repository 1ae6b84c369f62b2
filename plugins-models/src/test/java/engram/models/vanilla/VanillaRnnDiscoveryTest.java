package engram.models.vanilla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The vanilla RNN is discoverable: listed in META-INF/services (read on the class path, where tests
 * and the launcher run) and in module-info.java, whose package is opened to core and Jackson for
 * the configuration record.
 */
class VanillaRnnDiscoveryTest {

  @Test
  @SuppressWarnings("rawtypes") // Model.class: the SPI is generic in its config record
  void serviceLoaderFindsTheVanillaRnn() {
    List<Model> found =
        ServiceLoader.load(Model.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(m -> m.info().id().equals("vanilla-rnn"))
            .toList();
    assertEquals(1, found.size());
    assertEquals(VanillaRnnModel.class, found.get(0).getClass());
  }

  @Test
  void moduleDescriptorProvidesAndOpensTheVanillaRnn() throws IOException {
    String moduleInfo = Files.readString(Path.of("src/main/java/module-info.java"));
    assertTrue(
        Pattern.compile(
                "provides\\s+engram\\.api\\.Model\\s+with[^;]*"
                    + "engram\\.models\\.vanilla\\.VanillaRnnModel[^;]*;")
            .matcher(moduleInfo)
            .find(),
        "module-info.java must provide engram.models.vanilla.VanillaRnnModel");
    assertTrue(
        Pattern.compile(
                "opens\\s+engram\\.models\\.vanilla\\s+to\\s+engram\\.core\\s*,"
                    + "\\s*com\\.fasterxml\\.jackson\\.databind\\s*;")
            .matcher(moduleInfo)
            .find(),
        "module-info.java must open engram.models.vanilla to engram.core and Jackson");
  }
}
