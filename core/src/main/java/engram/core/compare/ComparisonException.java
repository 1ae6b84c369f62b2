package engram.core.compare;

/**
 * A user error in what is being compared (a directory that is not a run, nothing to compare): one
 * line naming the problem and the fix, printed by the CLI without a stack trace.
 */
public final class ComparisonException extends Exception {

  public ComparisonException(String message) {
    super(message);
  }
}
