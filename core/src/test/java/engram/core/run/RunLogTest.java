package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class RunLogTest {
  @TempDir Path dir;

  @Test
  void copiesEngramInfoAndOthersWarningsWhileAttached() throws Exception {
    Logger engram = LoggerFactory.getLogger("engram.core.run.RunLogTest");
    Logger library = LoggerFactory.getLogger("org.nd4j.Chatty");
    Path file = dir.resolve("run.log");
    RunLog log = RunLog.attach(file);
    try (log) {
      engram.info("epoch {} done", 3);
      engram.debug("not at debug");
      library.info("library noise");
      library.warn("library warning");
    }
    engram.info("after close");
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(
        lines
            .get(0)
            .matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO "
                    + " engram\\.core\\.run\\.RunLogTest - epoch 3 done"),
        lines.get(0));
    assertTrue(lines.get(1).endsWith(" WARN  org.nd4j.Chatty - library warning"), lines.get(1));
  }

  @Test
  void closeTwiceIsHarmless() {
    RunLog log = RunLog.attach(dir.resolve("run.log"));
    log.close();
    log.close();
  }
}
