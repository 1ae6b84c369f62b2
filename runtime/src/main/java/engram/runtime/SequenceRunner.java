package engram.runtime;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Cell;
import engram.api.Parameter;
import engram.api.Trajectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a cell step by step: the reference forward pass and BPTT every cell gets, and the oracle
 * every {@link engram.api.SequenceKernel} is tested against.
 *
 * <p>Forward: s_t = F(s_{t−1}, x_t, ξ_t) ⊙ keep for t = 1..T from s_0 ⊙ keep, where keep is the
 * ablation mask over the state's columns (absent when no unit is ablated). The hidden states (first
 * H columns of s_t) and the extras are copied into {@code [T, B, ·]} arrays; every step's {@link
 * Cell.Step} is kept for the backward pass.
 *
 * <p>Backward: with g = dL/ds_t accumulated from later steps, for t = T..1: g[:, :H] += dL/dh_t, g
 * ⊙= keep, then the cell's VJP gives dL/ds_{t−1} and adds dL/dθ of step t into the gradient arrays.
 */
final class SequenceRunner {
  private final Cell cell;
  private final String name;
  private final int hidden;
  private final int state;
  private final DataType dataType;
  private final Map<String, Integer> extraWidths;

  SequenceRunner(Cell cell, String name, DataType dataType) {
    this.cell = cell;
    this.name = name;
    this.hidden = cell.hiddenSize();
    this.state = cell.stateSize();
    this.dataType = dataType;
    this.extraWidths = cell.extras();
  }

  /** A trajectory of the step-by-step runner, with the steps its backward pass needs. */
  record CellTrajectory(
      INDArray hidden,
      INDArray initialState,
      Map<String, INDArray> extras,
      List<Cell.Step> steps,
      INDArray keep)
      implements Trajectory {}

  CellTrajectory forward(INDArray inputs, INDArray s0, INDArray drive, INDArray keep) {
    int steps = Math.toIntExact(inputs.size(0));
    int batch = Math.toIntExact(inputs.size(1));
    inputs = CellNetwork.dense(inputs);
    drive = drive == null ? null : CellNetwork.dense(drive);
    INDArray hiddenAll = Nd4j.create(dataType, steps, batch, hidden);
    Map<String, INDArray> extrasAll = new LinkedHashMap<>();
    extraWidths.forEach((k, width) -> extrasAll.put(k, Nd4j.create(dataType, steps, batch, width)));
    List<Cell.Step> kept = new ArrayList<>(steps);
    INDArray s = keep == null ? s0 : s0.mulRowVector(keep);
    for (int t = 0; t < steps; t++) {
      INDArray x = inputs.slice(t).dup('c');
      INDArray xi = drive == null ? null : drive.slice(t).dup('c');
      Cell.Step step = cell.step(s, x, xi);
      if (t == 0) {
        checkStep(step, batch);
      }
      INDArray next = keep == null ? step.next() : step.next().mulRowVector(keep);
      hiddenAll.slice(t).assign(state == hidden ? next : next.get(all(), interval(0, hidden)));
      for (Map.Entry<String, INDArray> e : extrasAll.entrySet()) {
        e.getValue().slice(t).assign(step.extras().get(e.getKey()));
      }
      kept.add(step);
      s = next;
    }
    return new CellTrajectory(hiddenAll, s0, extrasAll, kept, keep);
  }

  /** Checks the first step's results against what the cell declared, naming the cell. */
  private void checkStep(Cell.Step step, int batch) {
    long[] want = {batch, state};
    if (!Arrays.equals(step.next().shape(), want)) {
      throw new IllegalStateException(
          name
              + ": step returned a state of shape "
              + Arrays.toString(step.next().shape())
              + ", expected "
              + Arrays.toString(want)
              + " ([B, stateSize()])");
    }
    for (Map.Entry<String, Integer> e : extraWidths.entrySet()) {
      INDArray extra = step.extras().get(e.getKey());
      long[] shape = {batch, e.getValue()};
      if (extra == null || !Arrays.equals(extra.shape(), shape)) {
        throw new IllegalStateException(
            name
                + ": step must report the extra '"
                + e.getKey()
                + "' of shape "
                + Arrays.toString(shape)
                + " (declared in extras()), got "
                + (extra == null ? "none" : Arrays.toString(extra.shape())));
      }
    }
  }

  void backward(
      CellTrajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    List<Cell.Step> steps = trajectory.steps();
    int batch = Math.toIntExact(trajectory.hidden().size(1));
    Map<String, INDArray> gParams = new LinkedHashMap<>();
    for (Parameter p : cell.parameters()) {
      INDArray g = p.trainable() ? gradients.get(p.name()) : null;
      if (g == null) {
        g = p.value().ulike();
      }
      g.assign(0);
      gParams.put(p.name(), g);
    }
    INDArray keep = trajectory.keep();
    dLdh = CellNetwork.dense(dLdh);
    INDArray g = Nd4j.zeros(dataType, batch, state);
    Map<String, INDArray> extraGrads = new LinkedHashMap<>();
    dLdExtras.forEach((k, v) -> extraGrads.put(k, CellNetwork.dense(v)));
    Map<String, INDArray> gExtras = new HashMap<>();
    for (int t = steps.size() - 1; t >= 0; t--) {
      INDArray dh = dLdh.slice(t);
      if (state == hidden) {
        g.addi(dh);
      } else {
        g.get(all(), interval(0, hidden)).addi(dh);
      }
      if (keep != null) {
        g.muliRowVector(keep);
      }
      gExtras.clear();
      for (Map.Entry<String, INDArray> e : extraGrads.entrySet()) {
        gExtras.put(e.getKey(), e.getValue().slice(t).dup('c'));
      }
      g = cell.vjp(steps.get(t), g, gExtras, gParams).previous();
    }
  }
}
