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
 *   grid:                                    # a profile may also replace seeds and conditions
 *     set: [training.max-epochs=100]
 *     seeds: [1, 2, 3, 4, 5, 6]
 *     conditions:
 *       - {label: small, set: [model.hidden-size=64]}
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
    @Doc(
            "Named profiles chosen with --profile (e.g. paper): a list of overrides, or set (the"
                + " overrides), seeds and conditions, each replacing the plan's when given.")
        Map<String, Profile> profiles) {

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** One condition: a label (used in run names) and the experiment overrides that make it. */
  public record Condition(String label, List<String> set) {
    public Condition {
      set = set == null ? List.of() : List.copyOf(set);
    }
  }

  /**
   * What {@code --profile NAME} changes: overrides applied to every run before the condition's, and
   * optionally other seeds and conditions. In YAML either a list of overrides or a mapping with
   * {@code set}, {@code seeds} and {@code conditions}.
   *
   * @param set overrides, applied first; empty for none
   * @param seeds seeds replacing the plan's; empty to keep them
   * @param conditions conditions replacing the plan's; empty to keep them
   */
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = ProfileReader.class)
  public record Profile(List<String> set, List<Long> seeds, List<Condition> conditions) {
    public Profile {
      set = set == null ? List.of() : List.copyOf(set);
      seeds = seeds == null ? List.of() : List.copyOf(seeds);
      conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }
  }

  /** Binds a profile from either of its YAML forms; other keys are refused by name. */
  static final class ProfileReader
      extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<Profile> {
    private static final List<Object> KEYS = List.of("set", "seeds", "conditions");

    ProfileReader() {
      super(Profile.class);
    }

    @Override
    public Profile deserialize(
        com.fasterxml.jackson.core.JsonParser p,
        com.fasterxml.jackson.databind.DeserializationContext ctx)
        throws IOException {
      com.fasterxml.jackson.databind.JsonNode node = p.readValueAsTree();
      if (node.isArray()) {
        return new Profile(list(ctx, node, String.class), null, null);
      }
      if (!node.isObject()) {
        return ctx.reportInputMismatch(
            Profile.class,
            "a profile is a list of overrides or a mapping with set, seeds, conditions");
      }
      for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!KEYS.contains(name)) {
          throw UnrecognizedPropertyException.from(p, Profile.class, name, KEYS);
        }
      }
      return new Profile(
          list(ctx, node.get("set"), String.class),
          list(ctx, node.get("seeds"), Long.class),
          list(ctx, node.get("conditions"), Condition.class));
    }

    private static <T> List<T> list(
        com.fasterxml.jackson.databind.DeserializationContext ctx,
        com.fasterxml.jackson.databind.JsonNode node,
        Class<T> type)
        throws IOException {
      if (node == null || node.isNull()) {
        return null;
      }
      return ctx.readTreeAsValue(
          node, ctx.getTypeFactory().constructCollectionType(List.class, type));
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
              + " conditions, profiles (a condition has label and set; a profile is a list of"
              + " overrides or has set, seeds and conditions). Fix: correct or remove the"
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
    checkSeeds(seeds, "seeds" + where);
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
    checkConditions(conditions, where);
    for (Map.Entry<String, Profile> p : profiles.entrySet()) {
      String in = " of profile '" + p.getKey() + "'" + where;
      checkSeeds(p.getValue().seeds(), "seeds" + in);
      checkConditions(p.getValue().conditions(), in);
    }
  }

  private static void checkSeeds(List<Long> seeds, String what) throws ConfigException {
    if (new HashSet<>(seeds).size() != seeds.size()) {
      throw new ConfigException(what + " repeats a seed " + seeds + ". Fix: list each seed once.");
    }
  }

  private static void checkConditions(List<Condition> conditions, String where)
      throws ConfigException {
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
   * A profile.
   *
   * @param profile its name, or null for none (then an empty profile)
   * @throws ConfigException naming the profiles there are
   */
  public Profile profile(String profile) throws ConfigException {
    if (profile == null) {
      return new Profile(List.of(), List.of(), List.of());
    }
    Profile chosen = profiles.get(profile);
    if (chosen == null) {
      throw new ConfigException(
          "Unknown profile '"
              + profile
              + "'. This plan has "
              + (profiles.isEmpty()
                  ? "none"
                  : String.join(", ", new java.util.TreeSet<>(profiles.keySet())))
              + ". Fix: pass one of them to --profile, or omit it.");
    }
    return chosen;
  }

  /** The seeds a profile trains: its own, else the plan's. */
  public List<Long> seeds(Profile profile) {
    return profile.seeds().isEmpty() ? seeds : profile.seeds();
  }

  /** The conditions a profile trains: its own, else the plan's. */
  public List<Condition> conditions(Profile profile) {
    return profile.conditions().isEmpty() ? conditions : profile.conditions();
  }
}
