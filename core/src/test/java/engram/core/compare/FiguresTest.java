package engram.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bar labels lose the prefix every group shares, cut at a '-', and nothing else. */
class FiguresTest {

  @Test
  void theSharedRunNamePrefixIsDropped() {
    assertEquals(
        List.of("g1-no-tcr (n = 7)", "g1-tcr (n = 7)", "g2-no-tcr (n = 4)"),
        Figures.withoutSharedPrefix(
            List.of(
                "reproduce-geometry-g1-no-tcr (n = 7)",
                "reproduce-geometry-g1-tcr (n = 7)",
                "reproduce-geometry-g2-no-tcr (n = 4)")));
  }

  @Test
  void theCutFallsOnADashNotInsideAWord() {
    // shared "parity-m": cut after "parity-", not inside "multihead" / "multi"
    assertEquals(
        List.of("multihead", "multi"),
        Figures.withoutSharedPrefix(List.of("parity-multihead", "parity-multi")));
  }

  @Test
  void labelsWithoutASharedPrefixOrAloneStayAsTheyAre() {
    List<String> distinct = List.of("single-head", "multi-head");
    assertEquals(distinct, Figures.withoutSharedPrefix(distinct));
    assertEquals(List.of("a-b"), Figures.withoutSharedPrefix(List.of("a-b")));
    // a label that is only the prefix would be left empty
    List<String> prefixOnly = List.of("run-", "run-a");
    assertEquals(prefixOnly, Figures.withoutSharedPrefix(prefixOnly));
  }
}
