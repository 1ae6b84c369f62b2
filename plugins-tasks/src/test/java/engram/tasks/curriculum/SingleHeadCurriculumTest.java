package engram.tasks.curriculum;

import static engram.api.curriculum.Decision.Outcome.ADVANCE;
import static engram.api.curriculum.Decision.Outcome.FINISH;
import static engram.api.curriculum.Decision.Outcome.STAY;
import static engram.tasks.curriculum.Stages.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import org.junit.jupiter.api.Test;

class SingleHeadCurriculumTest {
  private final SingleHeadCurriculum curriculum = new SingleHeadCurriculum();
  private final SingleHeadCurriculum.Config config = curriculum.defaults();

  @Test
  void startsWithLevelTwoOnHeadZero() {
    assertEquals(new SingleHeadCurriculum.Config(2, 0.98, 1000), config);
    assertEquals(stage(2, 0), curriculum.start(config));
  }

  @Test
  void staysBelowAndAtTheThreshold() {
    Stage stage = stage(4, 0);
    for (double accuracy : new double[] {0.1, 0.5, 0.979, 0.98}) {
      Decision decision = curriculum.decide(config, stage, new double[] {accuracy});
      assertEquals(STAY, decision.outcome(), "accuracy " + accuracy);
      assertEquals(stage, decision.next());
    }
  }

  @Test
  void replacesTheLevelWithTheNextOnTheSameHead() {
    Stage stage = curriculum.start(config);
    for (int level = 3; level <= 20; level++) {
      assertEquals(STAY, curriculum.decide(config, stage, new double[] {0.7}).outcome());
      Decision decision = curriculum.decide(config, stage, new double[] {0.99});
      assertEquals(ADVANCE, decision.outcome());
      assertEquals(stage(level, 0), decision.next(), "only the new level, on head 0");
      stage = decision.next();
    }
  }

  @Test
  void startLevelIsConfigurable() {
    SingleHeadCurriculum.Config fromSix = new SingleHeadCurriculum.Config(6, 0.9, 1000);
    assertEquals(stage(6, 0), curriculum.start(fromSix));
    assertEquals(stage(7, 0), curriculum.decide(fromSix, stage(6, 0), new double[] {0.91}).next());
  }

  @Test
  void finishesWhenMaxLevelIsLearnt() {
    SingleHeadCurriculum.Config upToFive = new SingleHeadCurriculum.Config(2, 0.98, 5);
    assertEquals(ADVANCE, curriculum.decide(upToFive, stage(4, 0), new double[] {0.99}).outcome());
    Decision done = curriculum.decide(upToFive, stage(5, 0), new double[] {0.99});
    assertEquals(FINISH, done.outcome());
    assertEquals(stage(5, 0), done.next());
    assertEquals(STAY, curriculum.decide(upToFive, stage(5, 0), new double[] {0.98}).outcome());
  }
}
