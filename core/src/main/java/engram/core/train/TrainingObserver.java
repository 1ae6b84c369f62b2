package engram.core.train;

import engram.api.Parameter;
import java.util.List;
import java.util.Map;

/** Receives the trainer's events: progress, epochs, checkpoints. Default methods do nothing. */
public interface TrainingObserver {

  /** The run starts; {@code maxSteps} = max epochs × steps per epoch. */
  default void started(long maxSteps) {}

  /** One training step finished with this loss. */
  default void step(int epoch, long step, double loss) {}

  /** One epoch finished and was evaluated. */
  default void epoch(EpochReport report) {}

  /** A trace row is due ({@code output.trace-every}): the step's values, after its update. */
  default void trace(TraceRow row) {}

  /**
   * A checkpoint is due: write it now (the tensors are live and change after this call returns).
   *
   * @param name unique within the run, e.g. {@code advance-e0007-N5} or {@code final}
   * @param extra facts to store next to the tensors (reason, stage, ...)
   */
  default void checkpoint(
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra) {}

  /**
   * A resume checkpoint is due ({@code output.resume-every}, {@code output.resume-minutes}, or a
   * stop): save {@code state} now (its tensors are live and change after this call returns).
   */
  default void resumePoint(ResumeState state) {}

  /** The run ended (normally, by the curriculum, by max epochs or by a stop request). */
  default void finished(TrainingResult result) {}

  /** Fans events out to several observers, in order. */
  static TrainingObserver of(List<TrainingObserver> observers) {
    List<TrainingObserver> copy = List.copyOf(observers);
    return new TrainingObserver() {
      @Override
      public void started(long maxSteps) {
        copy.forEach(o -> o.started(maxSteps));
      }

      @Override
      public void step(int epoch, long step, double loss) {
        copy.forEach(o -> o.step(epoch, step, loss));
      }

      @Override
      public void epoch(EpochReport report) {
        copy.forEach(o -> o.epoch(report));
      }

      @Override
      public void trace(TraceRow row) {
        copy.forEach(o -> o.trace(row));
      }

      @Override
      public void checkpoint(
          String name,
          int epoch,
          long step,
          int[] levels,
          List<Parameter> tensors,
          Map<String, Object> extra) {
        copy.forEach(o -> o.checkpoint(name, epoch, step, levels, tensors, extra));
      }

      @Override
      public void resumePoint(ResumeState state) {
        copy.forEach(o -> o.resumePoint(state));
      }

      @Override
      public void finished(TrainingResult result) {
        copy.forEach(o -> o.finished(result));
      }
    };
  }
}
