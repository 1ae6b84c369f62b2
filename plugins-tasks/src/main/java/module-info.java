/**
 * Engram's built-in memory tasks (N-parity, N-DMS, flip-flop, delayed addition, the addition
 * problem, evidence accumulation, delayed cue discrimination, delayed match-to-sample) and
 * curricula (single-head, multi-head, sliding-window, none). Nothing is exported: plugins are
 * reached through the services below, and their packages are opened to core so it can bind the
 * configuration records.
 */
module engram.tasks {
  requires engram.api;
  requires static org.apiguardian.api;

  provides engram.api.Task with
      engram.tasks.parity.NParityTask,
      engram.tasks.dms.NDmsTask,
      engram.tasks.flipflop.FlipFlopTask,
      engram.tasks.addition.DelayedAdditionTask,
      engram.tasks.addition.AdditionProblemTask,
      engram.tasks.evidence.EvidenceAccumulationTask,
      engram.tasks.cue.DelayedCueTask,
      engram.tasks.dmts.DmtsTask;
  provides engram.api.Curriculum with
      engram.tasks.curriculum.SingleHeadCurriculum,
      engram.tasks.curriculum.MultiHeadCurriculum,
      engram.tasks.curriculum.SlidingWindowCurriculum,
      engram.tasks.curriculum.NoCurriculum;

  opens engram.tasks.bits to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.parity to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.dms to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.curriculum to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.trial to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.flipflop to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.addition to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.cue to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.dmts to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.tasks.evidence to
      engram.core,
      com.fasterxml.jackson.databind;
}
