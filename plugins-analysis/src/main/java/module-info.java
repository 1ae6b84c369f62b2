/**
 * Built-in analyzers. {@code tau-stats} (trained τ per checkpoint), {@code connectivity} (mean
 * recurrent weight and spectral radius of W^R per checkpoint), {@code network-timescales} (τ_net
 * from the autocorrelation of simulated activity) and {@code dimensionality} (PCA of simulated
 * activity), {@code ablation}, {@code perturbation}, {@code forgetting} and {@code transfer}
 * (continuous-stream accuracy of changed copies, and retraining), {@code fixed-points} (fixed and
 * slow points of the one-step map, classified by the eigenvalues of its Jacobian), and the geometry
 * analyses of abrupt learning: {@code abrupt-learning} (loss plateau, drop time and the lead of
 * geometric restructuring), {@code geometry} (GR metrics per checkpoint in a common PCA basis),
 * {@code low-rank-flow} (latent flow of rank-one and rank-two networks) and {@code
 * plrnn-fixed-points} (exact fixed points of a PLRNN, region by region).
 *
 * <p>{@code engram.analysis.timescales} holds the network-timescale analyzer and its numerical core
 * (autocorrelation and exponential fits). No package is exported: core finds the analyzers as
 * services, and another plugin depends on {@code api} only. The analyzers use Apache Commons Math
 * 3, whose jar has no {@code Automatic-Module-Name}, so its automatic module name derives from the
 * file name: {@code commons.math3}. Figures are drawn with XChart (which needs {@code
 * java.desktop}; the analyzers set {@code java.awt.headless=true} before drawing).
 */
module engram.analysis {
  requires engram.api;
  requires commons.math3;
  requires org.knowm.xchart;
  requires java.desktop;
  requires java.management; // thread CPU time of the fixed-points phases (PhaseClock)

  provides engram.api.Analyzer with
      engram.analysis.tau.TauStatsAnalyzer,
      engram.analysis.connectivity.ConnectivityAnalyzer,
      engram.analysis.timescales.NetworkTimescalesAnalyzer,
      engram.analysis.dimensionality.DimensionalityAnalyzer,
      engram.analysis.ablation.AblationAnalyzer,
      engram.analysis.perturbation.PerturbationAnalyzer,
      engram.analysis.forgetting.ForgettingAnalyzer,
      engram.analysis.transfer.TransferAnalyzer,
      engram.analysis.fixedpoints.FixedPointsAnalyzer,
      engram.analysis.abrupt.AbruptLearningAnalyzer,
      engram.analysis.geometry.GeometryAnalyzer,
      engram.analysis.lowrank.LowRankFlowAnalyzer,
      engram.analysis.plrnn.PlrnnFixedPointsAnalyzer;

  opens engram.analysis.tau to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.connectivity to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.timescales to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.dimensionality to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.ablation to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.perturbation to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.forgetting to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.transfer to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.fixedpoints to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.abrupt to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.geometry to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.lowrank to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.analysis.plrnn to
      engram.core,
      com.fasterxml.jackson.databind;
  // CheckpointSelection, an enum in several analyzers' configs, is bound by core's Jackson.
  opens engram.analysis.common to
      engram.core,
      com.fasterxml.jackson.databind;
}
