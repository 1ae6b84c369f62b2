package engram.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The package rules of the whole code base, checked on the compiled main classes: no import cycle
 * between any two {@code engram} packages, core and the built-in plugins know nothing of each
 * other, and a plugin module uses only {@code api} (the models also the internal {@code kernels}).
 *
 * <p>It lives in core's tests because core's test class path is the one that already holds every
 * other module but the bench and the testkit (core tests run the built-in plugins), so no module
 * has to exist just for this test; the bench depends on core (it cannot be on core's class path)
 * and, like the testkit, is a leaf that nothing in the main code depends on, so neither can close a
 * cycle through the packages checked here.
 */
class ArchitectureTest {

  /** The packages of the plugin modules (plugins-tasks, -models, -regularizers, ...). */
  private static final String[] PLUGINS = {
    "engram.tasks..",
    "engram.models..",
    "engram.regularizers..",
    "engram.analysis..",
    "engram.studies.."
  };

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("engram");

  /** Every rule below would pass vacuously on a module missing from the class path. */
  @ParameterizedTest(name = "{0} is imported")
  @ValueSource(
      strings = {
        "engram.api",
        "engram.runtime",
        "engram.kernels",
        "engram.core",
        "engram.tasks",
        "engram.models",
        "engram.regularizers",
        "engram.analysis",
        "engram.studies"
      })
  void everyModuleIsOnTheClassPath(String root) {
    assertTrue(
        CLASSES.stream()
            .anyMatch(
                c -> c.getPackageName().startsWith(root + ".") || c.getPackageName().equals(root)),
        root + " has no class on core's test class path");
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("engram.(**)").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void pluginsDoNotDependOnCore() {
    noClasses()
        .that()
        .resideInAnyPackage(PLUGINS)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("engram.core..")
        .because("a plugin is written against the api module only")
        .check(CLASSES);
  }

  @Test
  void coreDoesNotDependOnPlugins() {
    noClasses()
        .that()
        .resideInAPackage("engram.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(PLUGINS)
        .because("core finds plugins with ServiceLoader and names none of them")
        .check(CLASSES);
  }

  /** One plugin module never uses another's classes: each can be left out of a deployment. */
  @ParameterizedTest(name = "{0} uses no other plugin module")
  @ValueSource(
      strings = {
        "engram.tasks..",
        "engram.models..",
        "engram.regularizers..",
        "engram.analysis..",
        "engram.studies.."
      })
  void pluginsDoNotDependOnEachOther(String plugin) {
    String[] others = Arrays.stream(PLUGINS).filter(p -> !p.equals(plugin)).toArray(String[]::new);
    noClasses()
        .that()
        .resideInAPackage(plugin)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(others)
        .check(CLASSES);
  }

  /** The models may also use the internal kernels module (host loops, BLAS), no plugin more. */
  @Test
  void pluginsUseNoOtherEngramModuleThanApi() {
    String[] internal = {"engram.runtime..", "engram.testkit..", "engram.bench.."};
    noClasses()
        .that()
        .resideInAnyPackage(PLUGINS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(internal)
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAnyPackage(PLUGINS)
        .and()
        .resideOutsideOfPackage("engram.models..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("engram.kernels..")
        .check(CLASSES);
  }
}
