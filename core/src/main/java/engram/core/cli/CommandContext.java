package engram.core.cli;

import engram.core.step.FixedBatchTrainer;
import engram.core.step.StepObserver;
import java.util.List;

/**
 * What a {@link CommandProvider}'s command may ask of core during one invocation of {@code engram}:
 * the installed plugins (the built-ins and every jar of the plugins folders, including those of
 * {@code --plugins}) and trainers of experiments given as YAML. Safe to call from several threads
 * once the command runs; each call's result belongs to its caller.
 */
public interface CommandContext {

  /** The ids of the installed models, sorted. */
  List<String> modelIds();

  /**
   * A trainer of the experiment in {@code yaml}, checked and resolved as {@code engram run}
   * resolves a file (defaults filled in, plugins bound), that trains on fixed batches and reports
   * the phases of its steps to {@code observer}.
   *
   * @param yaml an experiment in the format of {@code engram run}
   * @param observer receives the phases of every step ({@link StepObserver#NONE} for none)
   * @throws IllegalArgumentException when the experiment is invalid; the message is one line naming
   *     the key and the fix
   */
  FixedBatchTrainer fixedBatchTrainer(String yaml, StepObserver observer);
}
