package engram.core.slurm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * What {@link LocalSlurm#require()} makes of the cluster script's exit code, and where it finds the
 * script; no cluster needed.
 */
class LocalSlurmStartTest {

  @Test
  void withoutRootTheTestsSkipUnlessACiRunRequiresTheCluster() {
    LocalSlurm.Result noRoot =
        new LocalSlurm.Result(
            List.of("build/slurm/cluster", "start"),
            LocalSlurm.CANNOT_RUN_HERE,
            "",
            "build/slurm/cluster: needs root\n");

    TestAbortedException skipped =
        assertThrows(TestAbortedException.class, () -> LocalSlurm.checkStart(noRoot, false, null));
    assertTrue(skipped.getMessage().contains("needs root"), skipped.getMessage());
    AssertionFailedError failed =
        assertThrows(AssertionFailedError.class, () -> LocalSlurm.checkStart(noRoot, true, null));
    assertTrue(failed.getMessage().contains("needs root"), failed.getMessage());
    assertTrue(failed.getMessage().contains(LocalSlurm.REQUIRED_VARIABLE), failed.getMessage());

    LocalSlurm.Result broken =
        new LocalSlurm.Result(List.of("build/slurm/cluster", "start"), 1, "", "apt-get failed\n");
    AssertionFailedError brokenFails =
        assertThrows(AssertionFailedError.class, () -> LocalSlurm.checkStart(broken, false, null));
    assertTrue(brokenFails.getMessage().contains("apt-get failed"), brokenFails.getMessage());
  }

  @Test
  void theRepositoryRootIsTheFirstDirectoryUpwardsWithTheClusterScript(@TempDir Path dir)
      throws Exception {
    Path script = dir.resolve("build/slurm/cluster");
    Files.createDirectories(script.getParent());
    Files.writeString(script, "#!/bin/bash\n");
    Path module = Files.createDirectories(dir.resolve("core/target"));

    assertTrue(LocalSlurm.repositoryRoot(module).equals(dir), "found " + dir);
    AssertionError none =
        assertThrows(AssertionError.class, () -> LocalSlurm.repositoryRoot(dir.getParent()));
    assertTrue(none.getMessage().contains("no build/slurm/cluster"), none.getMessage());
  }
}
