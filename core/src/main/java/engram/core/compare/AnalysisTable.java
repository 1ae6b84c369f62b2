package engram.core.compare;

import java.util.List;

/**
 * The analyzer tables a comparison reads from {@code <run>/analysis/<id>/<file>} and the columns
 * it relies on (extra columns are ignored). When an analysis was repeated ({@code <id>-2},
 * {@code <id>-3}, ...) the highest suffix, the newest, is read.
 */
public enum AnalysisTable {
  TAU_STATS("tau-stats", "tau-stats.csv",
      "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped"),
  CONNECTIVITY("connectivity", "connectivity.csv",
      "checkpoint,epoch,max_level,mean_weight,std_weight,spectral_radius"),
  NETWORK_TIMESCALES("network-timescales", "network-timescales.csv",
      "checkpoint,epoch,max_level,neurons,kept,tau_net_mean,tau_net_std,tau_net_median,"
          + "population_tau_net,population_model"),
  DIMENSIONALITY("dimensionality", "dimensionality.csv",
      "checkpoint,epoch,max_level,units,threshold,components,participation_ratio"),
  ABLATION("ablation", "ablation.csv",
      "checkpoint,epoch,max_level,level,group,unit,tau,accuracy,relative_accuracy"),
  PERTURBATION("perturbation", "perturbation.csv",
      "checkpoint,epoch,max_level,level,target,epsilon,draw,accuracy,relative_accuracy"),
  FORGETTING("forgetting", "forgetting.csv", "checkpoint,epoch,max_level,level,head,accuracy"),
  TRANSFER("transfer", "transfer-summary.csv",
      "checkpoint,source_level,level,epochs,final_accuracy,best_accuracy");

  private final String id;
  private final String file;
  private final List<String> columns;

  AnalysisTable(String id, String file, String header) {
    this.id = id;
    this.file = file;
    this.columns = List.of(header.split(","));
  }

  /** The analyzer id: the directory {@code analysis/<id>}. */
  public String id() {
    return id;
  }

  /** The CSV file inside the analyzer's directory. */
  public String file() {
    return file;
  }

  /** The columns read. */
  public List<String> columns() {
    return columns;
  }

  /** {@code analysis/<id>/<file>}, for messages. */
  public String relativePath() {
    return "analysis/" + id + "/" + file;
  }
}
