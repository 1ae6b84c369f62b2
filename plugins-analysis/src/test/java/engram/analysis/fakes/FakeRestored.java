package engram.analysis.fakes;

import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Restored;
import engram.api.Trajectory;
import engram.api.curriculum.Assignment;
import engram.api.task.Batch;
import engram.runtime.CellNetwork;
import engram.testkit.TinyRnnCell;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A restored copy whose accuracy is a known function of its current parameters. Its network is a
 * real one, built by the runtime around the testkit's {@link TinyRnnCell} over the checkpoint's
 * {@code w_in}, {@code w_rec} and (when present) {@code taus}, so its parameters are live and
 * ablation is the runtime's state clamp.
 *
 * <p>The readout is {@code w_out [H]} (checkpoint tensor). Unit k reaches the output with weight
 * r_k = (w_out_k + Σ_i W_ik·w_out_i)/τ̃_k (τ̃ = max(τ, 1), 1 without taus): directly and through
 * one recurrent step. An ablated unit takes part with its readout, its row and its column of W at 0
 * (it sends and receives nothing). A unit with w_out = 0 and no outgoing weights has r = 0, and
 * removing it leaves every r unchanged. The stream accuracy of every target is
 *
 * <p>acc = 0.5 + 0.4·exp(−‖r − r₀‖₁/‖r₀‖₁) + noise,
 *
 * <p>where r₀ is the checkpoint's reach and noise = 0.01·(mean input) + 0.01·u with u the first
 * draw of the initial-state generator: an evaluation on other data or another initial state gives
 * another number. With {@code levelAccuracy} the accuracy of the target of level ℓ is instead 0.95
 * − 0.01·ℓ − 0.1·head(ℓ), ignoring the parameters.
 */
public final class FakeRestored implements Restored {
  /** What one accuracy call saw. */
  public record Call(
      Batch batch,
      int fromStep,
      double recurrentChange,
      double tauChange,
      double minTauChange,
      double[] accuracies) {}

  private final Checkpoint checkpoint;
  private final CellNetwork network;
  private final INDArray readout;
  private final double[] reach0;
  private final double[] taus0;
  private final double[] wRec0;
  private final boolean levelAccuracy;
  private final List<Integer> ablated = new ArrayList<>();
  private final List<Call> calls;
  private final List<Integer> headQueries = new ArrayList<>();

  FakeRestored(Checkpoint checkpoint, boolean levelAccuracy, List<Call> calls) {
    this.checkpoint = checkpoint;
    this.network = TinyRnnCell.network(checkpoint.tensors());
    this.readout = checkpoint.tensors().get("w_out").dup();
    this.levelAccuracy = levelAccuracy;
    this.calls = calls;
    this.reach0 = reach();
    this.wRec0 = get("w_rec").ravel().toDoubleVector();
    INDArray taus = get("taus");
    this.taus0 = taus == null ? new double[0] : taus.ravel().toDoubleVector();
  }

  public List<Integer> ablated() {
    return ablated;
  }

  public List<Integer> headQueries() {
    return headQueries;
  }

  /** The live value of the network's parameter {@code name}, or null when it has none. */
  private INDArray get(String name) {
    return network.parameters().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .map(engram.api.Parameter::value)
        .orElse(null);
  }

  /** r_k = (w_out_k + Σ_i W_ik·w_out_i)/τ̃_k, ablated units cut off. */
  public double[] reach() {
    double[][] w = get("w_rec").toDoubleMatrix();
    for (int unit : ablated) {
      for (int j = 0; j < w.length; j++) {
        w[unit][j] = 0;
        w[j][unit] = 0;
      }
    }
    double[] out = readout.toDoubleVector();
    INDArray tauArray = get("taus");
    double[] taus = tauArray == null ? null : tauArray.toDoubleVector();
    double[] r = new double[out.length];
    for (int k = 0; k < out.length; k++) {
      double sum = out[k];
      for (int i = 0; i < out.length; i++) {
        sum += w[i][k] * out[i];
      }
      r[k] = sum / (taus == null ? 1 : Math.max(taus[k], 1));
    }
    return r;
  }

  /** 0.5 + 0.4·exp(−‖r − r₀‖₁/‖r₀‖₁), the noise-free part of the accuracy. */
  public double functional() {
    double[] r = reach();
    double diff = 0;
    double norm = 0;
    for (int k = 0; k < r.length; k++) {
      diff += Math.abs(r[k] - reach0[k]);
      norm += Math.abs(reach0[k]);
    }
    return 0.5 + 0.4 * Math.exp(-diff / norm);
  }

  @Override
  public CellNetwork network() {
    return network;
  }

  @Override
  public int head(int level) {
    headQueries.add(level);
    return serving(level);
  }

  private int serving(int level) {
    List<Assignment> assignments = checkpoint.assignments();
    if (assignments.size() == 1) {
      return assignments.get(0).head();
    }
    for (Assignment a : assignments) {
      if (a.level() == level) {
        return a.head();
      }
    }
    throw new IllegalArgumentException("no head serves level " + level);
  }

  @Override
  public void ablate(int unit) {
    network.ablate(unit);
    readout.putScalar(unit, 0);
    ablated.add(unit);
  }

  @Override
  public Trajectory forward(Batch batch, RandomGenerator rng) {
    throw new UnsupportedOperationException("fake network");
  }

  @Override
  public double[] accuracy(Batch batch, int fromStep, RandomGenerator rng) {
    double[] accuracies = new double[batch.targets().size()];
    if (levelAccuracy) {
      for (int i = 0; i < accuracies.length; i++) {
        int level = batch.targets().get(i).level();
        accuracies[i] = 0.95 - 0.01 * level - 0.1 * serving(level);
      }
    } else {
      double inputs = 0;
      for (float x : batch.inputs()) {
        inputs += x;
      }
      double noise = 0.01 * inputs / batch.inputs().length + 0.01 * rng.nextDouble();
      double value = functional() + noise;
      for (int i = 0; i < accuracies.length; i++) {
        accuracies[i] = value;
      }
    }
    double[] w = get("w_rec").ravel().toDoubleVector();
    double recurrent = 0;
    for (int i = 0; i < w.length; i++) {
      recurrent += (w[i] - wRec0[i]) * (w[i] - wRec0[i]);
    }
    double tau = 0;
    double minTau = taus0.length == 0 ? 0 : Double.POSITIVE_INFINITY;
    if (taus0.length > 0) {
      double[] t = get("taus").ravel().toDoubleVector();
      for (int i = 0; i < t.length; i++) {
        tau += (t[i] - taus0[i]) * (t[i] - taus0[i]);
        minTau = Math.min(minTau, t[i] - taus0[i]);
      }
    }
    calls.add(
        new Call(
            batch, fromStep, Math.sqrt(recurrent), Math.sqrt(tau), minTau, accuracies.clone()));
    return accuracies;
  }
}
