package engram.tasks.curriculum;

import static engram.api.curriculum.Decision.Outcome.FINISH;
import static engram.api.curriculum.Decision.Outcome.STAY;
import static engram.tasks.curriculum.Stages.stage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import org.junit.jupiter.api.Test;

class NoCurriculumTest {
  private final NoCurriculum curriculum = new NoCurriculum();

  @Test
  void trainsTheGivenLevelOnHeadZero() {
    assertEquals(new NoCurriculum.Config(2, 0.98), curriculum.defaults());
    assertEquals(stage(12, 0), curriculum.start(new NoCurriculum.Config(12, 0.98)));
  }

  @Test
  void staysUntilTheThresholdIsExceededThenFinishes() {
    NoCurriculum.Config config = new NoCurriculum.Config(12, 0.98);
    Stage stage = curriculum.start(config);
    for (double accuracy : new double[] {0.5, 0.9, 0.98}) {
      Decision decision = curriculum.decide(config, stage, new double[] {accuracy});
      assertEquals(STAY, decision.outcome(), "accuracy " + accuracy);
      assertEquals(stage, decision.next());
    }
    Decision done = curriculum.decide(config, stage, new double[] {0.981});
    assertEquals(FINISH, done.outcome());
    assertEquals(stage, done.next(), "never moves to another level");
  }
}
