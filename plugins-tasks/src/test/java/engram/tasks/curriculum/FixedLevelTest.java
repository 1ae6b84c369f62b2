package engram.tasks.curriculum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import engram.testkit.CurriculumContract;
import org.junit.jupiter.api.Test;

/**
 * Every built-in curriculum can train one fixed level (core retrains checkpoints with it for the
 * transfer analysis) and keeps the run's threshold when it does.
 */
class FixedLevelTest {

  @Test
  void everyBuiltInCurriculumTrainsOneFixedLevel() {
    for (int level : new int[] {1, 2, 7}) {
      CurriculumContract.assertFixedLevel(
          new SingleHeadCurriculum(), SingleHeadCurriculum.Config.defaults(), level);
      CurriculumContract.assertFixedLevel(
          new MultiHeadCurriculum(), MultiHeadCurriculum.Config.defaults(), level);
      CurriculumContract.assertFixedLevel(
          new SlidingWindowCurriculum(), SlidingWindowCurriculum.Config.defaults(), level);
      CurriculumContract.assertFixedLevel(
          new NoCurriculum(), NoCurriculum.Config.defaults(), level);
    }
  }

  @Test
  void theRunsThresholdIsKept() {
    assertEquals(
        new SingleHeadCurriculum.Config(6, 0.9, 6),
        new SingleHeadCurriculum().fixedLevel(new SingleHeadCurriculum.Config(2, 0.9, 20), 6));
    assertEquals(
        new MultiHeadCurriculum.Config(6, 0.9, 6),
        new MultiHeadCurriculum().fixedLevel(new MultiHeadCurriculum.Config(3, 0.9, 20), 6));
    assertEquals(
        new SlidingWindowCurriculum.Config(6, 1, 0.9, 6),
        new SlidingWindowCurriculum()
            .fixedLevel(new SlidingWindowCurriculum.Config(2, 5, 0.9, 20), 6));
    assertEquals(
        new NoCurriculum.Config(6, 0.9),
        new NoCurriculum().fixedLevel(new NoCurriculum.Config(12, 0.9), 6));
  }

  @Test
  void aLevelBelowOneIsRefusedNamingTheKey() {
    String message =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new MultiHeadCurriculum().fixedLevel(MultiHeadCurriculum.Config.defaults(), 0))
            .getMessage();
    assertEquals("start-level must be ≥ 1 (was 0)", message);
  }
}
