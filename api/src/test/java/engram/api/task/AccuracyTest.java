package engram.api.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Accuracy rules and scopes, and which rule a target of each loss kind may use. */
class AccuracyTest {

  @Test
  void thresholdCallsAComponentRightWhenThePositiveLogitMeetsABitOfOne() {
    Accuracy threshold = Accuracy.threshold();
    assertTrue(threshold.correct(0.3, 1));
    assertTrue(threshold.correct(-0.3, 0));
    assertFalse(threshold.correct(-0.3, 1));
    assertFalse(threshold.correct(0.3, 0));
    // σ(0) = ½ is not above ½: a zero logit predicts 0
    assertTrue(threshold.correct(0.0, 0));
    assertFalse(threshold.correct(0.0, 1));
    // the smallest positive logit already predicts 1, although σ of it rounds to ½ in double
    assertEquals(0.5, 1 / (1 + Math.exp(-Double.MIN_VALUE)));
    assertTrue(threshold.correct(Double.MIN_VALUE, 1));
    assertFalse(threshold.correct(Double.NaN, 0), "a NaN logit is never right");
    assertFalse(threshold.correct(Double.NaN, 1), "a NaN logit is never right");
  }

  @Test
  void wholeTrialKeepsTheRuleAndToleranceAndPerEntryIsTheDefault() {
    assertEquals(Accuracy.Scope.ENTRY, Accuracy.argmax().scope());
    assertEquals(Accuracy.Scope.ENTRY, Accuracy.sign().scope());
    assertEquals(Accuracy.Scope.ENTRY, Accuracy.threshold().scope());
    assertEquals(Accuracy.Scope.ENTRY, new Accuracy(Accuracy.Rule.WITHIN, 0.2).scope());
    Accuracy trial = Accuracy.within(0.25).wholeTrial();
    assertEquals(new Accuracy(Accuracy.Rule.WITHIN, 0.25, Accuracy.Scope.TRIAL), trial);
    assertTrue(trial.correct(1.2, 1.0));
    assertFalse(trial.correct(1.3, 1.0));
    assertEquals(trial, trial.wholeTrial());
    assertThrows(NullPointerException.class, () -> new Accuracy(Accuracy.Rule.SIGN, 0, null));
  }

  @Test
  void eachLossKindTakesItsOwnRules() {
    for (Accuracy.Scope scope : Accuracy.Scope.values()) {
      for (Accuracy.Rule rule : Accuracy.Rule.values()) {
        Accuracy accuracy = new Accuracy(rule, 0.1, scope);
        assertEquals(
            rule == Accuracy.Rule.ARGMAX,
            accuracy.fits(LossKind.CLASSIFICATION),
            rule + " for classification");
        assertEquals(
            rule == Accuracy.Rule.SIGN
                || rule == Accuracy.Rule.WITHIN
                || rule == Accuracy.Rule.BINARIZED,
            accuracy.fits(LossKind.REGRESSION),
            rule + " for regression");
        assertEquals(
            rule == Accuracy.Rule.THRESHOLD,
            accuracy.fits(LossKind.MULTI_LABEL),
            rule + " for multi-label");
      }
    }
  }

  @Test
  void aMultiLabelTargetHoldsBitsAtScoredEntriesAndDefaultsToTheThreshold() {
    // T·B = 3 entries of width 2; entry 1 is not scored, so its values mean nothing
    float[] mask = {1, 0, 1};
    Target target = new Target(4, LossKind.MULTI_LABEL, 2, new float[] {0, 1, 0.5f, 7, 1, 1}, mask);
    assertEquals(Accuracy.threshold(), target.accuracy());
    var notABit =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Target(4, LossKind.MULTI_LABEL, 2, new float[] {0, 1, 0, 0, 1, 0.5f}, mask));
    assertTrue(
        notABit.getMessage().contains("values[5] (entry 2, component 1)"), notABit.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Target(4, LossKind.MULTI_LABEL, 2, new float[] {0, 1, 0, 0, -1, 0}, mask));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Target(4, LossKind.MULTI_LABEL, 2, new float[] {0, 1, 0, 0, Float.NaN, 0}, mask));
    var length =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Target(4, LossKind.MULTI_LABEL, 2, new float[] {0, 1, 0}, mask));
    assertTrue(length.getMessage().contains("expected 6"), length.getMessage());
    var rule =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Target(4, LossKind.MULTI_LABEL, 2, new float[6], mask, Accuracy.sign()));
    assertEquals("accuracy rule SIGN does not fit a MULTI_LABEL target", rule.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Target(4, LossKind.REGRESSION, 2, new float[6], mask, Accuracy.threshold()));
  }

  @Test
  void theDefaultAccuracyOfEachKindIsPerEntry() {
    float[] mask = {1, 1};
    assertEquals(
        Accuracy.argmax(),
        new Target(2, LossKind.CLASSIFICATION, 3, new float[2], mask).accuracy());
    assertEquals(
        Accuracy.sign(), new Target(2, LossKind.REGRESSION, 3, new float[6], mask).accuracy());
    assertEquals(
        Accuracy.threshold(),
        new Target(2, LossKind.MULTI_LABEL, 3, new float[6], mask).accuracy());
    Target trial =
        new Target(
            2, LossKind.CLASSIFICATION, 3, new float[2], mask, Accuracy.argmax().wholeTrial());
    assertEquals(Accuracy.Scope.TRIAL, trial.accuracy().scope());
    // a batch keeps the target, and with it how its accuracy is counted
    Batch batch = new Batch(1, 2, 1, new float[2], List.of(trial));
    assertEquals(Accuracy.Scope.TRIAL, batch.targets().get(0).accuracy().scope());
  }

  @Test
  void binarizedReadsTheOutputAsMinusOneZeroOrOneAtTheThreshold() {
    Accuracy rule = Accuracy.binarized(0.33);
    assertEquals(Accuracy.Rule.BINARIZED, rule.rule());
    assertTrue(rule.correct(0.34, 1));
    assertTrue(rule.correct(0.33, 0), "the band includes its edge");
    assertTrue(rule.correct(-0.5, -1));
    assertFalse(rule.correct(0.2, 1));
    assertFalse(rule.correct(-0.2, -1));
    assertFalse(rule.correct(0.9, 0));
    assertFalse(rule.correct(Double.NaN, 0), "NaN is never right");
    Accuracy half = Accuracy.binarized(0.5); // a sigmoid output against 0/1 targets
    assertTrue(half.correct(0.7, 1));
    assertTrue(half.correct(0.2, 0));
    assertFalse(half.correct(0.4, 1));
  }
}
