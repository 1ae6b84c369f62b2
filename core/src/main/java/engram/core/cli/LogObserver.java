package engram.core.cli;

import engram.core.train.EpochReport;
import engram.core.train.TrainingObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one line per epoch and one per checkpoint into the run's log. */
final class LogObserver implements TrainingObserver {
  private static final Logger LOG = LoggerFactory.getLogger("engram.run");

  @Override
  public void epoch(EpochReport report) {
    LOG.info(ProgressObserver.line(report));
  }

  @Override
  public void checkpoint(
      String name,
      int epoch,
      long step,
      int[] levels,
      java.util.List<engram.api.Parameter> tensors,
      java.util.Map<String, Object> extra) {
    LOG.info("checkpoint {} written (epoch {}, step {})", name, epoch, step);
  }
}
