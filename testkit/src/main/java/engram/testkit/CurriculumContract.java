package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import engram.api.Curriculum;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;

/**
 * Checks of a curriculum's optional capabilities. Curricula have no contract suite of their own (a
 * test calls {@link PluginContract#assertPlugin} and tests its stages directly); what core relies
 * on beyond {@link Curriculum} is checked here.
 */
public final class CurriculumContract {
  private CurriculumContract() {}

  /**
   * Checks {@link Curriculum.FixedLevel#fixedLevel} as core's retraining relies on it: the
   * configuration it returns starts with exactly {@code level} on head 0, stays on that stage while
   * nothing is learnt (every accuracy 0) and finishes on it, without advancing, once everything is
   * learnt (every accuracy 1).
   *
   * @param curriculum the curriculum under test
   * @param config a valid configuration, e.g. the defaults
   * @param level a level the curriculum can train, ≥ 1
   * @param <C> its configuration record
   */
  public static <C extends Record> void assertFixedLevel(
      Curriculum.FixedLevel<C> curriculum, C config, int level) {
    C fixed = curriculum.fixedLevel(config, level);
    assertNotNull(fixed, "fixedLevel returned null");
    Stage start = curriculum.start(fixed);
    assertEquals(
        Stage.of(new Assignment(level, 0)),
        start,
        "fixedLevel(config, " + level + ") must start with level " + level + " on head 0 alone");
    Decision unlearnt = curriculum.decide(fixed, start, new double[] {0.0});
    assertEquals(
        Decision.Outcome.STAY,
        unlearnt.outcome(),
        "a fixed level that is not learnt must be trained on");
    assertEquals(start, unlearnt.next(), "staying keeps the stage");
    Decision learnt = curriculum.decide(fixed, start, new double[] {1.0});
    assertEquals(
        Decision.Outcome.FINISH,
        learnt.outcome(),
        "a fixed level that is learnt must finish, never advance to another level");
    assertEquals(start, learnt.next(), "finishing keeps the stage");
  }
}
