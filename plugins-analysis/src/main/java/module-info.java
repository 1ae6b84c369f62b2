/**
 * Built-in analyzers. {@code tau-stats} (trained τ per checkpoint) and {@code connectivity} (mean
 * recurrent weight and spectral radius of W^R per checkpoint) are here; network timescales,
 * dimensionality, ablation, perturbation, forgetting and transfer arrive with issue 5.
 *
 * <p>{@code engram.analysis.timescales} holds the numerical core of the network-timescale
 * analysis (autocorrelation and exponential fits); it uses Apache Commons Math 3, whose jar has no
 * {@code Automatic-Module-Name}, so its automatic module name derives from the file name:
 * {@code commons.math3}. Figures are drawn with XChart (which needs {@code java.desktop}; the
 * analyzers set {@code java.awt.headless=true} before drawing).
 */
module engram.analysis {
  requires engram.api;
  requires commons.math3;
  requires org.knowm.xchart;
  requires java.desktop;

  exports engram.analysis.timescales;

  provides engram.api.Analyzer with
      engram.analysis.tau.TauStatsAnalyzer,
      engram.analysis.connectivity.ConnectivityAnalyzer,
      engram.analysis.ablation.AblationAnalyzer,
      engram.analysis.perturbation.PerturbationAnalyzer,
      engram.analysis.forgetting.ForgettingAnalyzer,
      engram.analysis.transfer.TransferAnalyzer;

  opens engram.analysis.tau to engram.core, com.fasterxml.jackson.databind;
  opens engram.analysis.connectivity to engram.core, com.fasterxml.jackson.databind;
  opens engram.analysis.ablation to engram.core, com.fasterxml.jackson.databind;
  opens engram.analysis.perturbation to engram.core, com.fasterxml.jackson.databind;
  opens engram.analysis.forgetting to engram.core, com.fasterxml.jackson.databind;
  opens engram.analysis.transfer to engram.core, com.fasterxml.jackson.databind;
  // CheckpointSelection, an enum in several analyzers' configs, is bound by core's Jackson.
  opens engram.analysis.common to engram.core, com.fasterxml.jackson.databind;
}
