package engram.api.curriculum;

import java.util.Objects;

/**
 * A curriculum's verdict after an evaluation.
 *
 * @param outcome stay, advance to {@code next}, or finish training
 * @param next the stage to train from now on (the same stage unless the outcome is ADVANCE)
 */
public record Decision(Outcome outcome, Stage next) {
  /**
   * Checks that both values are set.
   *
   * @param outcome stay, advance or finish
   * @param next the stage to train from now on
   * @throws NullPointerException when either is null
   */
  public Decision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(next, "next");
  }

  /** What training does after the evaluation. */
  public enum Outcome {
    /** Keep training the same stage. */
    STAY,
    /** Train {@link Decision#next()} from the next epoch on; core saves a checkpoint first. */
    ADVANCE,
    /** Stop training; the current stage is the last. */
    FINISH
  }

  /**
   * Keep training {@code stage}.
   *
   * @param stage the current stage
   * @return a STAY decision
   */
  public static Decision stay(Stage stage) {
    return new Decision(Outcome.STAY, stage);
  }

  /**
   * Move on to {@code next}.
   *
   * @param next the stage to train from now on
   * @return an ADVANCE decision
   */
  public static Decision advance(Stage next) {
    return new Decision(Outcome.ADVANCE, next);
  }

  /**
   * Stop training.
   *
   * @param stage the current stage, which stays the last one trained
   * @return a FINISH decision
   */
  public static Decision finish(Stage stage) {
    return new Decision(Outcome.FINISH, stage);
  }
}
