package engram.api.curriculum;

import java.util.Objects;

/**
 * A curriculum's verdict after an evaluation.
 *
 * @param outcome stay, advance to {@code next}, or finish training
 * @param next the stage to train from now on (the same stage unless the outcome is ADVANCE)
 */
public record Decision(Outcome outcome, Stage next) {
  public Decision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(next, "next");
  }

  public enum Outcome { STAY, ADVANCE, FINISH }

  public static Decision stay(Stage stage) {
    return new Decision(Outcome.STAY, stage);
  }

  public static Decision advance(Stage next) {
    return new Decision(Outcome.ADVANCE, next);
  }

  public static Decision finish(Stage stage) {
    return new Decision(Outcome.FINISH, stage);
  }
}
