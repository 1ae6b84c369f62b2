package engram.tasks.curriculum;

import static engram.api.curriculum.Decision.Outcome.ADVANCE;
import static engram.api.curriculum.Decision.Outcome.FINISH;
import static engram.api.curriculum.Decision.Outcome.STAY;
import static engram.tasks.curriculum.Stages.all;
import static engram.tasks.curriculum.Stages.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlidingWindowCurriculumTest {
  private final SlidingWindowCurriculum curriculum = new SlidingWindowCurriculum();
  private final SlidingWindowCurriculum.Config config = curriculum.defaults();

  @Test
  void startsWithFiveLevelsOnFiveHeads() {
    assertEquals(new SlidingWindowCurriculum.Config(2, 5, 0.98, 1000), config);
    assertEquals(stage(2, 0, 3, 1, 4, 2, 5, 3, 6, 4), curriculum.start(config));
  }

  @Test
  void dropsTheOldestAndGivesItsHeadToTheNextLevel() {
    Stage stage = curriculum.start(config);
    Decision first = curriculum.decide(config, stage, all(stage, 0.99));
    assertEquals(ADVANCE, first.outcome());
    assertEquals(stage(3, 1, 4, 2, 5, 3, 6, 4, 7, 0), first.next());
    Decision second = curriculum.decide(config, first.next(), all(first.next(), 0.99));
    assertEquals(stage(4, 2, 5, 3, 6, 4, 7, 0, 8, 1), second.next());
  }

  @Test
  void staysBelowAndAtTheThresholdAndUsesTheMeanOverTheWindow() {
    Stage stage = curriculum.start(config);
    assertEquals(STAY, curriculum.decide(config, stage, all(stage, 0.5)).outcome());
    assertEquals(
        STAY, curriculum.decide(config, stage, all(stage, 0.98)).outcome(), "strict threshold");
    assertEquals(
        STAY,
        curriculum.decide(config, stage, new double[] {0.6, 0.99, 0.99, 0.99, 0.99}).outcome(),
        "newest high but mean 0.914");
    assertEquals(
        STAY,
        curriculum.decide(config, stage, new double[] {1, 1, 1, 1, 0.95}).outcome(),
        "mean 0.99 but newest low");
    Decision decision = curriculum.decide(config, stage, new double[] {0.97, 1, 1, 1, 0.99});
    assertEquals(ADVANCE, decision.outcome(), "mean 0.992 and newest 0.99");
  }

  @Test
  void everyLevelKeepsItsHeadWhileItIsTrainedAndOnlyWindowHeadsExist() {
    SlidingWindowCurriculum.Config three = new SlidingWindowCurriculum.Config(4, 3, 0.98, 1000);
    Stage stage = curriculum.start(three);
    assertEquals(stage(4, 0, 5, 1, 6, 2), stage);
    Map<Integer, Integer> headOfLevel = new HashMap<>();
    for (int step = 0; step < 60; step++) {
      for (Assignment a : stage.assignments()) {
        Integer before = headOfLevel.putIfAbsent(a.level(), a.head());
        assertTrue(before == null || before == a.head(), "level " + a.level() + " moved head");
        assertTrue(a.head() < 3, "head " + a.head());
      }
      Stage next = curriculum.decide(three, stage, all(stage, 0.99)).next();
      assertEquals(stage.levels()[0] + 1, next.levels()[0], "the oldest level is dropped");
      assertEquals(stage.maxLevel() + 1, next.newest().level(), "the next level is added");
      assertEquals(
          stage.assignments().get(0).head(), next.newest().head(), "it takes the dropped head");
      stage = next;
    }
    assertEquals(stage(64, 0, 65, 1, 66, 2), stage);
  }

  @Test
  void finishesWhenTheWindowEndingAtMaxLevelIsLearnt() {
    SlidingWindowCurriculum.Config small = new SlidingWindowCurriculum.Config(2, 2, 0.98, 4);
    Decision toFour = curriculum.decide(small, curriculum.start(small), new double[] {0.99, 0.99});
    assertEquals(stage(3, 1, 4, 0), toFour.next());
    Decision done = curriculum.decide(small, toFour.next(), new double[] {0.99, 0.99});
    assertEquals(FINISH, done.outcome());
    assertEquals(stage(3, 1, 4, 0), done.next());
  }

  @Test
  void windowOfOneIsASingleHead() {
    SlidingWindowCurriculum.Config one = new SlidingWindowCurriculum.Config(2, 1, 0.98, 1000);
    Stage stage = curriculum.start(one);
    stage = curriculum.decide(one, stage, new double[] {0.99}).next();
    assertEquals(stage(3, 0), stage);
  }
}
