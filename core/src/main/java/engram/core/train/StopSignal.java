package engram.core.train;

import java.util.concurrent.atomic.AtomicBoolean;

/** Set from outside (Ctrl-C) to ask the trainer to stop after the current step and save. */
public final class StopSignal {
  private final AtomicBoolean requested = new AtomicBoolean();

  public void request() {
    requested.set(true);
  }

  public boolean requested() {
    return requested.get();
  }
}
