package engram.core.reproduce;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import engram.api.config.Doc;
import engram.core.config.ConfigException;
import engram.core.config.ConfigMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A reproduction: one experiment trained under several conditions and seeds, every run analysed,
 * then compared in one report with the findings of a study. The file format of {@code engram
 * reproduce}:
 *
 * <pre>
 * name: reproduce-timescales
 * experiment: timescales-quick.yaml          # relative to this file
 * study: timescales-curriculum               # a study plugin; without it, no findings
 * seeds: [1, 2, 3]
 * workers: 2                                 # runs trained side by side, one thread each
 * group-by: curriculum
 * conditions:
 *   - {label: single-head, set: [curriculum.id=single-head]}
 *   - {label: multi-head,  set: [curriculum.id=multi-head]}
 * profiles:                                  # --profile paper
 *   paper: [model.hidden-size=500, training.max-epochs=1000]
 * </pre>
 */
public record ReproductionPlan(
    @Doc("Name; the output directory is reproductions/<name>-<timestamp>.") String name,
    @Doc("Free text shown at the top of the report, or null.") String description,
    @Doc("The experiment file, relative to this file.") String experiment,
    @Doc(
            "The id of the study whose findings the report checks (./engram plugins lists them), or"
                + " null for a report without findings.")
        String study,
    @Doc("Seeds: each condition is trained once per seed.") List<Long> seeds,
    @Doc("Runs trained at the same time, one thread each, ≥ 1.") int workers,
    @Doc(
            "How runs are grouped in the comparison: curriculum, model, curriculum+model, name or"
                + " condition (the plan's condition label).")
        String groupBy,
    @Doc("The conditions: a label and the overrides that make it.") List<Condition> conditions,
    @Doc("Named override lists chosen with --profile (e.g. paper).")
        Map<String, List<String>> profiles) {

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** One condition: a label (used in run names) and the experiment overrides that make it. */
  public record Condition(String label, List<String> set) {
    public Condition {
      set = set == null ? List.of() : List.copyOf(set);
    }
  }

  public ReproductionPlan {
    profiles = profiles == null ? Map.of() : Map.copyOf(profiles);
    seeds = seeds == null ? List.of() : List.copyOf(seeds);
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    if (groupBy == null) {
      groupBy = "curriculum";
    }
  }

  /**
   * Reads and checks a plan.
   *
   * @throws ConfigException one line naming the problem and the fix
   */
  public static ReproductionPlan load(Path file) throws ConfigException {
    ReproductionPlan plan;
    try {
      plan = ConfigMapper.create().readValue(Files.readAllBytes(file), ReproductionPlan.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Reproduction file not found: " + file + ". Fix: check the path.");
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          "Unknown key '"
              + e.getPropertyName()
              + "' in "
              + file
              + ". Valid keys: name, description, experiment, study, seeds, workers, group-by,"
              + " conditions, profiles (a condition has label and set). Fix: correct or remove the"
              + " key.");
    } catch (JsonMappingException e) {
      throw new ConfigException(
          "Invalid reproduction file "
              + file
              + ": "
              + e.getOriginalMessage()
              + ". Fix: see examples/reproduce-timescales.yaml.");
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read reproduction file "
              + file
              + ": "
              + e.getMessage()
              + ". Fix: pass a readable YAML file.");
    }
    if (plan == null) {
      throw new ConfigException(
          "Reproduction file "
              + file
              + " is empty. Fix: see"
              + " examples/reproduce-timescales.yaml.");
    }
    plan.check(file);
    return plan;
  }

  private void check(Path file) throws ConfigException {
    String where = " in " + file;
    if (name == null || !LABEL.matcher(name).matches()) {
      throw new ConfigException(
          "name"
              + where
              + " must be letters, digits, '.', '_' or '-' (was '"
              + name
              + "'). Fix: set name: my-reproduction.");
    }
    if (experiment == null || experiment.isBlank()) {
      throw new ConfigException(
          "experiment"
              + where
              + " is missing. Fix: name the experiment"
              + " file, relative to "
              + file
              + ".");
    }
    if (seeds.isEmpty()) {
      throw new ConfigException(
          "seeds" + where + " is empty. Fix: list at least one seed, e.g." + " seeds: [1, 2, 3].");
    }
    if (new HashSet<>(seeds).size() != seeds.size()) {
      throw new ConfigException(
          "seeds" + where + " repeats a seed " + seeds + ". Fix: list each" + " seed once.");
    }
    if (workers < 1) {
      throw new ConfigException(
          "workers"
              + where
              + " must be ≥ 1 (was "
              + workers
              + "). Fix: use"
              + " 1 per core, e.g. workers: 2.");
    }
    if (!List.of("curriculum", "model", "curriculum+model", "name", "condition")
        .contains(groupBy)) {
      throw new ConfigException(
          "group-by"
              + where
              + " must be curriculum, model,"
              + " curriculum+model, name or condition (was '"
              + groupBy
              + "'). Fix: choose one of them.");
    }
    if (conditions.isEmpty()) {
      throw new ConfigException(
          "conditions"
              + where
              + " is empty. Fix: list at least one, e.g."
              + " - {label: wide, set: [model.hidden-size=256]}.");
    }
    Set<String> labels = new HashSet<>();
    for (Condition c : conditions) {
      if (c.label() == null || !LABEL.matcher(c.label()).matches() || !labels.add(c.label())) {
        throw new ConfigException(
            "condition label '"
                + c.label()
                + "'"
                + where
                + " must be"
                + " unique and made of letters, digits, '.', '_' or '-'. Fix: rename it.");
      }
    }
  }

  /**
   * The overrides of a profile.
   *
   * @throws ConfigException naming the profiles there are
   */
  public List<String> profile(String profile) throws ConfigException {
    if (profile == null) {
      return List.of();
    }
    List<String> overrides = profiles.get(profile);
    if (overrides == null) {
      throw new ConfigException(
          "Unknown profile '"
              + profile
              + "'. This plan has "
              + (profiles.isEmpty()
                  ? "none"
                  : String.join(", ", new java.util.TreeSet<>(profiles.keySet())))
              + ". Fix: pass one of them to --profile, or omit it.");
    }
    return new ArrayList<>(overrides);
  }
}
