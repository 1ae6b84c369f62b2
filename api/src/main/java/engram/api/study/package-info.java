/**
 * Studies: a paper's (or a question's) findings checked against finished runs. A {@link
 * engram.api.study.Study} names the analyzers whose tables it reads, and turns the runs of a
 * comparison ({@link engram.api.study.StudyRun}: each run's configuration, metrics and analyzer
 * tables, and the group it was put in) into an {@link engram.api.study.Evaluation}: its {@link
 * engram.api.study.Finding}s with verdicts, and the figures and per-run quantities that show them.
 * Core writes these into {@code comparison.md} and a reproduction's {@code report.md} together with
 * the study's title, citation and rules. {@link engram.api.study.Stats} and {@link
 * engram.api.study.LevelProgress} are the small helpers studies share with core's comparison.
 */
package engram.api.study;
