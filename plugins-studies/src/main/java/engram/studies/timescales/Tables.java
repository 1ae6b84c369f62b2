package engram.studies.timescales;

import engram.studies.common.TableRef;
import java.util.List;

/** The analyzer tables the study reads (the analyzers declare their columns). */
final class Tables {
  private Tables() {}

  static final TableRef TAU_STATS = new TableRef("tau-stats", "tau-stats.csv");
  static final TableRef CONNECTIVITY = new TableRef("connectivity", "connectivity.csv");
  static final TableRef NETWORK_TIMESCALES =
      new TableRef("network-timescales", "network-timescales.csv");
  static final TableRef DIMENSIONALITY = new TableRef("dimensionality", "dimensionality.csv");
  static final TableRef ABLATION = new TableRef("ablation", "ablation.csv");
  static final TableRef PERTURBATION = new TableRef("perturbation", "perturbation.csv");
  static final TableRef FORGETTING = new TableRef("forgetting", "forgetting.csv");
  static final TableRef TRANSFER = new TableRef("transfer", "transfer-summary.csv");

  /** Every table read, in the order of the paper's analyses. */
  static final List<TableRef> ALL =
      List.of(
          TAU_STATS,
          CONNECTIVITY,
          NETWORK_TIMESCALES,
          DIMENSIONALITY,
          ABLATION,
          PERTURBATION,
          FORGETTING,
          TRANSFER);
}
