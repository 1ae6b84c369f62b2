package engram.core.sweep;

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
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A sweep: one experiment trained at several points of its configuration, each with several seeds,
 * on an executor (side by side on this machine, or as one Slurm job array), then every run analysed
 * and compared in one report, with the findings of a study when one is named. The file format of
 * {@code engram sweep} and {@code engram reproduce} (a reproduction is a sweep with a study):
 *
 * <pre>
 * name: reproduce-timescales
 * experiment: timescales-quick.yaml          # relative to this file
 * study: timescales-curriculum               # a study plugin; without it, no findings
 * seeds: [1, 2, 3]
 * workers: 2                                 # local executor: runs side by side, one thread each
 * group-by: curriculum
 * set: [training.max-epochs=20]              # overrides of every run
 * conditions:                                # named points ...
 *   - {label: single-head, set: [curriculum.id=single-head]}
 *   - {label: multi-head,  set: [curriculum.id=multi-head]}
 * grid:                                      # ... times every combination of these values ...
 *   model.hidden-size: [64, 128]
 * zip:                                       # ... times these lists taken together (equal length)
 *   training.optimizer.lr: [0.01, 0.001]
 *   training.batch-size: [32, 128]
 * profiles:                                  # --profile paper
 *   paper: [model.hidden-size=500, training.max-epochs=1000]
 *   grid:                                    # a profile may also replace seeds and conditions
 *     set: [training.max-epochs=100]
 *     seeds: [1, 2, 3, 4, 5, 6]
 *     conditions:
 *       - {label: small, set: [model.hidden-size=64]}
 * slurm: {partition: cpu, time: "08:00:00", mem: 4G, max-parallel: 50}   # --executor slurm
 * </pre>
 *
 * <p>The points are conditions × grid × zip (each absent part counts as one empty point), in file
 * order with the first list varying slowest; a point's label joins its condition label and {@code
 * <last key segment><value>} of its grid and zip values ({@code single-head-hidden-size64-lr0.01}).
 * Runs are points × seeds, named {@code <name>-<label>-s<seed>}. The overrides of a run are, in
 * order: the profile's, the plan's {@code set}, the condition's, the grid's, the zip's, then {@code
 * seed} and {@code name}.
 */
public record SweepPlan(
    @Doc("Name; the output directory is <out>/<name>-<timestamp>.") String name,
    @Doc("Free text shown at the top of the report, or null.") String description,
    @Doc("The experiment file, relative to this file.") String experiment,
    @Doc(
            "The id of the study whose findings the report checks (./engram plugins lists them), or"
                + " null for a report without findings.")
        String study,
    @Doc("Seeds: each point is trained once per seed.") List<Long> seeds,
    @Doc("Runs trained at the same time by the local executor, one thread each, ≥ 1.") int workers,
    @Doc(
            "How runs are grouped in the comparison: curriculum, model, curriculum+model, name or"
                + " condition (the point's label).")
        String groupBy,
    @Doc("Overrides applied to every run, after the profile's.") List<String> set,
    @Doc("Named points: a label and the overrides that make it.") List<Condition> conditions,
    @Doc("Dotted key → list of values; every combination is a point (times the conditions).")
        Map<String, List<Object>> grid,
    @Doc("Dotted key → list of values, all lists of one length, taken together.")
        Map<String, List<Object>> zip,
    @Doc(
            "Named profiles chosen with --profile (e.g. paper): a list of overrides, or set (the"
                + " overrides), seeds and conditions, each replacing the plan's when given.")
        Map<String, Profile> profiles,
    @Doc("Options of the Slurm executor (--executor slurm); command-line flags override them.")
        SlurmOptions slurm) {

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)*");

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

  public SweepPlan {
    profiles = profiles == null ? Map.of() : Map.copyOf(profiles);
    seeds = seeds == null ? List.of() : List.copyOf(seeds);
    set = set == null ? List.of() : List.copyOf(set);
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    grid = ordered(grid);
    zip = ordered(zip);
    slurm = slurm == null ? SlurmOptions.NONE : slurm;
    if (groupBy == null) {
      groupBy = "curriculum";
    }
  }

  /**
   * Reads and checks a plan.
   *
   * @throws ConfigException one line naming the problem and the fix
   */
  public static SweepPlan load(Path file) throws ConfigException {
    SweepPlan plan;
    try {
      plan = ConfigMapper.create().readValue(Files.readAllBytes(file), SweepPlan.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Sweep file not found: " + file + ". Fix: check the path.");
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          "Unknown key '"
              + e.getPropertyName()
              + "' in "
              + file
              + ". Valid keys: name, description, experiment, study, seeds, workers, group-by,"
              + " set, conditions, grid, zip, profiles, slurm (a condition has label and set; a"
              + " profile is a list of overrides or has set, seeds and conditions; slurm has "
              + SlurmOptions.KEYS
              + "). Fix: correct or remove the key.");
    } catch (JsonMappingException e) {
      throw new ConfigException(
          "Invalid sweep file "
              + file
              + ": "
              + e.getOriginalMessage()
              + ". Fix: see examples/reproduce-timescales.yaml.");
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read sweep file "
              + file
              + ": "
              + e.getMessage()
              + ". Fix: pass a readable YAML file.");
    }
    if (plan == null) {
      throw new ConfigException(
          "Sweep file " + file + " is empty. Fix: see" + " examples/reproduce-timescales.yaml.");
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
    if (conditions.isEmpty() && grid.isEmpty() && zip.isEmpty()) {
      throw new ConfigException(
          "conditions, grid and zip"
              + where
              + " are all empty, so there is nothing to sweep. Fix: list conditions, e.g."
              + " - {label: wide, set: [model.hidden-size=256]}, or a grid, e.g. grid:"
              + " {model.hidden-size: [64, 128]}.");
    }
    checkConditions(conditions, where);
    checkValues(grid, "grid" + where, false);
    checkValues(zip, "zip" + where, true);
    slurm.check(where);
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

  /**
   * The points a profile trains, in order: conditions × grid × zip, each labelled as the class
   * comment says, with the overrides that make it (condition's, grid's, zip's).
   *
   * @throws ConfigException when two points get the same label
   */
  public List<Condition> points(Profile profile) throws ConfigException {
    List<Condition> points = new ArrayList<>();
    List<Condition> named = conditions(profile);
    for (Condition c : named.isEmpty() ? List.of(new Condition("", List.of())) : named) {
      for (List<String[]> g : combinations(grid)) {
        for (List<String[]> z : rows(zip)) {
          List<String> labels = new ArrayList<>();
          List<String> overrides = new ArrayList<>(c.set());
          if (!c.label().isEmpty()) {
            labels.add(c.label());
          }
          for (List<String[]> part : List.of(g, z)) {
            for (String[] kv : part) {
              labels.add(valueLabel(kv[0], kv[1]));
              overrides.add(kv[0] + "=" + kv[1]);
            }
          }
          points.add(new Condition(String.join("-", labels), overrides));
        }
      }
    }
    Set<String> seen = new HashSet<>();
    for (Condition p : points) {
      if (!seen.add(p.label())) {
        throw new ConfigException(
            "two points of sweep "
                + name
                + " get the label '"
                + p.label()
                + "' (labels use the last segment of each key). Fix: give the conditions"
                + " distinct labels, or move one of the keys into a condition.");
      }
    }
    return points;
  }

  /** {@code <last key segment><value>}, with characters other than [A-Za-z0-9._-] as '_'. */
  static String valueLabel(String key, String value) {
    String last = key.substring(key.lastIndexOf('.') + 1);
    return (last + value).replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static List<List<String[]>> combinations(Map<String, List<Object>> grid) {
    List<List<String[]>> out = new ArrayList<>();
    out.add(List.of());
    for (Map.Entry<String, List<Object>> e : grid.entrySet()) {
      List<List<String[]>> next = new ArrayList<>();
      for (List<String[]> prefix : out) {
        for (Object v : e.getValue()) {
          List<String[]> longer = new ArrayList<>(prefix);
          longer.add(new String[] {e.getKey(), String.valueOf(v)});
          next.add(longer);
        }
      }
      out = next;
    }
    return out;
  }

  private static List<List<String[]>> rows(Map<String, List<Object>> zip) {
    if (zip.isEmpty()) {
      return List.of(List.of());
    }
    int n = zip.values().iterator().next().size();
    List<List<String[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String[]> row = new ArrayList<>();
      for (Map.Entry<String, List<Object>> e : zip.entrySet()) {
        row.add(new String[] {e.getKey(), String.valueOf(e.getValue().get(i))});
      }
      out.add(row);
    }
    return out;
  }

  private static Map<String, List<Object>> ordered(Map<String, List<Object>> map) {
    if (map == null) {
      return Map.of();
    }
    Map<String, List<Object>> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, v == null ? List.of() : List.copyOf(v)));
    return Collections.unmodifiableMap(copy); // file order decides the order of the runs
  }

  private static void checkValues(Map<String, List<Object>> values, String what, boolean sameLength)
      throws ConfigException {
    int length = -1;
    for (Map.Entry<String, List<Object>> e : values.entrySet()) {
      if (!KEY.matcher(e.getKey()).matches()) {
        throw new ConfigException(
            "key '"
                + e.getKey()
                + "' of "
                + what
                + " is not a dotted config key. Fix: use e.g. model.hidden-size.");
      }
      if (e.getValue().isEmpty()) {
        throw new ConfigException(
            e.getKey() + " of " + what + " lists no values. Fix: e.g. " + e.getKey() + ": [1, 2].");
      }
      for (Object v : e.getValue()) {
        if (v == null || v instanceof Map || v instanceof List) {
          throw new ConfigException(
              e.getKey()
                  + " of "
                  + what
                  + " has a value that is not a number or a word ("
                  + v
                  + "). Fix: list scalars, e.g. [0.1, 0.01].");
        }
      }
      if (sameLength && length >= 0 && e.getValue().size() != length) {
        throw new ConfigException(
            "the lists of "
                + what
                + " differ in length ("
                + e.getKey()
                + " has "
                + e.getValue().size()
                + ", the first has "
                + length
                + "). Fix: give every zip key as many values, or use grid for combinations.");
      }
      length = e.getValue().size();
    }
  }
}
