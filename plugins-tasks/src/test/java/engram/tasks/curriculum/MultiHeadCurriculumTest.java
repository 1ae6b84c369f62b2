package engram.tasks.curriculum;

import static engram.api.curriculum.Decision.Outcome.ADVANCE;
import static engram.api.curriculum.Decision.Outcome.FINISH;
import static engram.api.curriculum.Decision.Outcome.STAY;
import static engram.tasks.curriculum.Stages.all;
import static engram.tasks.curriculum.Stages.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import org.junit.jupiter.api.Test;

class MultiHeadCurriculumTest {
  private final MultiHeadCurriculum curriculum = new MultiHeadCurriculum();
  private final MultiHeadCurriculum.Config config = curriculum.defaults();

  @Test
  void startsWithLevelTwoOnHeadZero() {
    assertEquals(new MultiHeadCurriculum.Config(2, 0.98, 1000), config);
    assertEquals(stage(2, 0), curriculum.start(config));
  }

  @Test
  void staysBelowAndAtTheThresholdAndAdvancesAboveIt() {
    Stage start = curriculum.start(config);
    for (double accuracy : new double[] {0.0, 0.5, 0.97, 0.98}) {
      Decision decision = curriculum.decide(config, start, new double[] {accuracy});
      assertEquals(STAY, decision.outcome(), "accuracy " + accuracy);
      assertEquals(start, decision.next());
    }
    Decision decision = curriculum.decide(config, start, new double[] {0.9801});
    assertEquals(ADVANCE, decision.outcome());
    assertEquals(stage(2, 0, 3, 1), decision.next());
  }

  @Test
  void needsBothTheMeanOverHeadsAndTheNewestHeadAboveThreshold() {
    Stage stage = stage(2, 0, 3, 1, 4, 2);
    assertEquals(
        STAY,
        curriculum.decide(config, stage, new double[] {0.5, 0.99, 0.999}).outcome(),
        "newest high, mean low");
    assertEquals(
        STAY,
        curriculum.decide(config, stage, new double[] {1.0, 1.0, 0.97}).outcome(),
        "mean high (0.99), newest low");
    assertEquals(
        STAY,
        curriculum.decide(config, stage, all(stage, 0.98)).outcome(),
        "all exactly at threshold");
    Decision decision = curriculum.decide(config, stage, new double[] {0.975, 0.99, 0.99});
    assertEquals(
        ADVANCE, decision.outcome(), "mean 0.985 and newest 0.99, though one old head is below");
    assertEquals(stage(2, 0, 3, 1, 4, 2, 5, 3), decision.next());
  }

  @Test
  void headIsLevelMinusStartLevel() {
    MultiHeadCurriculum.Config fromFive = new MultiHeadCurriculum.Config(5, 0.9, 1000);
    Stage stage = curriculum.start(fromFive);
    assertEquals(stage(5, 0), stage);
    stage = curriculum.decide(fromFive, stage, all(stage, 0.95)).next();
    stage = curriculum.decide(fromFive, stage, all(stage, 0.95)).next();
    assertEquals(stage(5, 0, 6, 1, 7, 2), stage);
  }

  @Test
  void finishesInsteadOfGoingPastMaxLevel() {
    MultiHeadCurriculum.Config upToFour = new MultiHeadCurriculum.Config(2, 0.98, 4);
    Decision toFour = curriculum.decide(upToFour, stage(2, 0, 3, 1), all(stage(2, 0, 3, 1), 0.99));
    assertEquals(ADVANCE, toFour.outcome());
    Decision done = curriculum.decide(upToFour, toFour.next(), all(toFour.next(), 0.99));
    assertEquals(FINISH, done.outcome());
    assertEquals(stage(2, 0, 3, 1, 4, 2), done.next());
    assertEquals(
        STAY, curriculum.decide(upToFour, toFour.next(), all(toFour.next(), 0.9)).outcome());
  }

  @Test
  void growsPastOneHundredHeadsOneLevelPerSuccessfulEvaluation() {
    Stage stage = curriculum.start(config);
    int evaluations = 0;
    while (stage.newest().level() < 150) {
      // A failing evaluation between successes: no advance without success, one per success.
      Decision failed = curriculum.decide(config, stage, all(stage, 0.6));
      assertEquals(STAY, failed.outcome());
      Decision decision = curriculum.decide(config, stage, all(stage, 0.99));
      assertEquals(ADVANCE, decision.outcome());
      Stage next = decision.next();
      assertEquals(stage.assignments().size() + 1, next.assignments().size());
      assertEquals(
          stage.assignments(),
          next.assignments().subList(0, stage.assignments().size()),
          "earlier levels keep their heads");
      Assignment added = next.newest();
      assertEquals(stage.maxLevel() + 1, added.level());
      assertEquals(added.level() - 2, added.head());
      stage = next;
      evaluations++;
    }
    assertEquals(148, evaluations);
    assertEquals(149, stage.assignments().size());
    for (int k = 0; k < 149; k++) {
      assertEquals(new Assignment(k + 2, k), stage.assignments().get(k));
    }
  }

  @Test
  void rejectsAccuraciesThatDoNotMatchTheStage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> curriculum.decide(config, stage(2, 0, 3, 1), new double[] {0.99}));
    assertEquals("expected one accuracy per active level (2), got 1: [0.99]", e.getMessage());
  }
}
