package engram.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import engram.api.Analyzer;
import engram.api.Plugin;
import engram.testkit.AnalyzerTables;
import engram.testkit.PluginContract;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every built-in analyzer passes the testkit's plugin checks (services file and module-info agree,
 * its configuration's packages opened to core, a constructor that does no work, stable info, a
 * documented configuration with valid defaults), and the module holds exactly these analyzers.
 */
class AnalyzerPluginsTest {

  @Test
  @SuppressWarnings("rawtypes") // Analyzer.class: the SPI is generic in its config record
  void everyAnalyzerPassesThePluginContract() {
    List<Analyzer> analyzers =
        ServiceLoader.load(Analyzer.class).stream().map(ServiceLoader.Provider::get).toList();
    Set<String> ids = new TreeSet<>();
    for (Plugin<?> analyzer : analyzers) {
      PluginContract.assertPlugin(analyzer);
      AnalyzerTables.assertDeclared((Analyzer<?>) analyzer);
      assertFalse(
          ((Analyzer<?>) analyzer).tables().isEmpty(),
          analyzer.info().id()
              + " declares no table, so compare and studies cannot read its results");
      ids.add(analyzer.info().id());
    }
    assertEquals(
        Set.of(
            "tau-stats",
            "connectivity",
            "network-timescales",
            "dimensionality",
            "ablation",
            "perturbation",
            "forgetting",
            "transfer",
            "fixed-points",
            "abrupt-learning",
            "geometry",
            "low-rank-flow",
            "plrnn-fixed-points"),
        ids);
  }
}
