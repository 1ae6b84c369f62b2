package engram.tasks.curriculum;

import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test shorthand: {@code stage(2, 0, 3, 1)} is levels 2 and 3 on heads 0 and 1. */
final class Stages {
  private Stages() {}

  static Stage stage(int... levelHeadPairs) {
    List<Assignment> assignments = new ArrayList<>();
    for (int i = 0; i < levelHeadPairs.length; i += 2) {
      assignments.add(new Assignment(levelHeadPairs[i], levelHeadPairs[i + 1]));
    }
    return new Stage(assignments);
  }

  /** The same accuracy for every assignment of a stage. */
  static double[] all(Stage stage, double accuracy) {
    double[] accuracies = new double[stage.assignments().size()];
    Arrays.fill(accuracies, accuracy);
    return accuracies;
  }
}
