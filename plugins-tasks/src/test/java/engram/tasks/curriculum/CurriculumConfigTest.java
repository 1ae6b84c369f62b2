package engram.tasks.curriculum;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CurriculumConfigTest {

  private static String message(Executable construction) {
    return assertThrows(IllegalArgumentException.class, construction).getMessage();
  }

  @Test
  void thresholdMustBeInZeroExclusiveToOne() {
    String zero = "threshold must be in (0, 1] (was 0.0)";
    assertEquals(zero, message(() -> new SingleHeadCurriculum.Config(2, 0, 1000)));
    assertEquals(zero, message(() -> new MultiHeadCurriculum.Config(2, 0, 1000)));
    assertEquals(zero, message(() -> new SlidingWindowCurriculum.Config(2, 5, 0, 1000)));
    assertEquals(zero, message(() -> new NoCurriculum.Config(2, 0)));
    assertEquals(
        "threshold must be in (0, 1] (was 1.01)",
        message(() -> new MultiHeadCurriculum.Config(2, 1.01, 10)));
    assertEquals(
        "threshold must be in (0, 1] (was -0.5)",
        message(() -> new MultiHeadCurriculum.Config(2, -0.5, 10)));
    assertEquals(
        "threshold must be in (0, 1] (was NaN)",
        message(() -> new NoCurriculum.Config(2, Double.NaN)));
    assertDoesNotThrow(() -> new MultiHeadCurriculum.Config(2, 1.0, 10));
  }

  @Test
  void startLevelMustBePositive() {
    String zero = "start-level must be ≥ 1 (was 0)";
    assertEquals(zero, message(() -> new SingleHeadCurriculum.Config(0, 0.98, 1000)));
    assertEquals(zero, message(() -> new MultiHeadCurriculum.Config(0, 0.98, 1000)));
    assertEquals(zero, message(() -> new SlidingWindowCurriculum.Config(0, 5, 0.98, 1000)));
    assertEquals(zero, message(() -> new NoCurriculum.Config(0, 0.98)));
  }

  @Test
  void windowMustBePositive() {
    assertEquals(
        "window must be ≥ 1 (was 0)",
        message(() -> new SlidingWindowCurriculum.Config(2, 0, 0.98, 1000)));
  }

  @Test
  void maxLevelMustCoverTheStartingLevels() {
    assertEquals(
        "max-level must be ≥ 5, the highest level trained at the start (was 4)",
        message(() -> new MultiHeadCurriculum.Config(5, 0.98, 4)));
    assertEquals(
        "max-level must be ≥ 5, the highest level trained at the start (was 4)",
        message(() -> new SingleHeadCurriculum.Config(5, 0.98, 4)));
    assertEquals(
        "max-level must be ≥ 6, the highest level trained at the start (was 5)",
        message(() -> new SlidingWindowCurriculum.Config(2, 5, 0.98, 5)));
    assertDoesNotThrow(() -> new SlidingWindowCurriculum.Config(2, 5, 0.98, 6));
    assertDoesNotThrow(() -> new SingleHeadCurriculum.Config(5, 0.98, 5));
  }
}
