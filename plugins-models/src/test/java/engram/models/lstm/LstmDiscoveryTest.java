package engram.models.lstm;

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
 * The LSTM is discoverable: listed in META-INF/services (read on the class path, where tests and
 * the launcher run) and in module-info.java, whose package is opened to core and Jackson for the
 * configuration record.
 */
class LstmDiscoveryTest {

  @Test
  @SuppressWarnings("rawtypes") // Model.class: the SPI is generic in its config record
  void serviceLoaderFindsTheLstm() {
    List<Model> lstm =
        ServiceLoader.load(Model.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(m -> m.info().id().equals("lstm"))
            .toList();
    assertEquals(1, lstm.size());
    assertEquals(LstmModel.class, lstm.get(0).getClass());
  }

  @Test
  void moduleDescriptorProvidesAndOpensTheLstm() throws IOException {
    String moduleInfo = Files.readString(Path.of("src/main/java/module-info.java"));
    assertTrue(
        Pattern.compile(
                "provides\\s+engram\\.api\\.Model\\s+with"
                    + "[^;]*engram\\.models\\.lstm\\.LstmModel[^;]*;")
            .matcher(moduleInfo)
            .find(),
        "module-info.java must provide engram.models.lstm.LstmModel");
    assertTrue(
        Pattern.compile(
                "opens\\s+engram\\.models\\.lstm\\s+to\\s+engram\\.core\\s*,"
                    + "\\s*com\\.fasterxml\\.jackson\\.databind\\s*;")
            .matcher(moduleInfo)
            .find(),
        "module-info.java must open engram.models.lstm to engram.core and Jackson");
  }
}
