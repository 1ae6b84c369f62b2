package engram.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scripts the Slurm executor submits (the real submission: SlurmSweepTest). */
class SlurmExecutorTest {
  @Test
  void arraySpecCompressesRunsOfIndicesAndAddsTheThrottle() {
    assertEquals("0-3,7,9-10%2", SlurmExecutor.arraySpec(List.of(9, 0, 1, 2, 3, 7, 10, 1), 2));
    assertEquals("5", SlurmExecutor.arraySpec(List.of(5), 0));
  }

  @Test
  void theArrayScriptRequeuesAtTheTimeLimitAndRunsOneTaskPerIndex() {
    SlurmExecutor executor =
        new SlurmExecutor(
            "'/opt/engram/engram'",
            new SlurmOptions("cpu", "01:00:00", "4G", 1, 10, List.of("--account=lab")));
    String script =
        executor.arrayScript(
            Path.of("/shared/sweeps/it's"), "demo", "0-5%10", List.of("--plugins", "/p"));
    for (String line :
        List.of(
            "#SBATCH --array=0-5%10",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@120",
            "#SBATCH --open-mode=append",
            "#SBATCH --output=/shared/sweeps/it's/slurm/logs/task-%a.log",
            "#SBATCH --partition=cpu",
            "#SBATCH --time=01:00:00",
            "#SBATCH --mem=4G",
            "#SBATCH --account=lab",
            "'/opt/engram/engram' '--plugins' '/p' sweep task '/shared/sweeps/it'\\''s'"
                + " \"$SLURM_ARRAY_TASK_ID\" &",
            "if [ \"$requeue\" = 1 ] && { [ \"$code\" = 130 ] || [ \"$code\" = 143 ]; }; then",
            "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"")) {
      assertTrue(script.lines().anyMatch(l -> l.equals(line)), line + " missing from\n" + script);
    }
    assertTrue(script.startsWith("#!/bin/bash\n"), script);
  }
}
