package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What every task of this module satisfies beyond the testkit's contract (which each task's own
 * test inherits): configuration records core can bind without surprises, and level names that say
 * what the level sets.
 */
class TaskContractTest {

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Task<Record>> tasks() {
    List<Task<Record>> tasks =
        (List) ServiceLoader.load(Task.class).stream().map(ServiceLoader.Provider::get).toList();
    assertEquals(8, tasks.size(), "tasks found by ServiceLoader");
    return tasks;
  }

  /**
   * Configuration records hold only primitives, enums and records of the same kind (no interfaces,
   * no collections), so core's Jackson binding of records by canonical constructor cannot meet a
   * type it does not know; rebuilding the defaults through the canonical constructor gives them
   * back, as binding a YAML dump of them does.
   */
  @Test
  void configsArePlainRecordsRebuiltByTheirCanonicalConstructor()
      throws ReflectiveOperationException {
    for (Task<Record> task : tasks()) {
      assertPlain(task.configType(), task.info().id());
      assertEquals(task.defaults(), rebuild(task.defaults()), task.info().id());
    }
  }

  /**
   * Parity and DMS keep N; the Haputhanthri tasks name the quantity their {@code *-from-level} key
   * makes the level set, and call it plain "level" without the key, when it sets nothing.
   */
  @Test
  void eachTaskNamesItsLevelByWhatTheLevelSets() throws ReflectiveOperationException {
    java.util.Map<String, String> byDefault =
        java.util.Map.of(
            "n-parity",
            "N",
            "n-dms",
            "N",
            "flip-flop",
            "level",
            "delayed-addition",
            "level",
            "addition-problem",
            "level",
            "evidence-accumulation",
            "level",
            "delayed-cue",
            "delay",
            "dmts",
            "delay");
    java.util.Map<String, String> fromLevel =
        java.util.Map.of(
            "flip-flop",
            "bits",
            "delayed-addition",
            "delay",
            "addition-problem",
            "length",
            "evidence-accumulation",
            "stimulus");
    for (Task<Record> task : tasks()) {
      String id = task.info().id();
      assertEquals(byDefault.get(id), task.levelName(task.defaults()), id);
      if (fromLevel.containsKey(id)) {
        Record config = withFlag(task.defaults(), "FromLevel");
        assertEquals(fromLevel.get(id), task.levelName(config), id);
        // and the name tells the truth: two levels give different trials
        int min = task.minLevel(config);
        Batch low = task.sample(config, new int[] {min}, 2, new SplittableRandom(3));
        Batch high = task.sample(config, new int[] {min + 1}, 2, new SplittableRandom(3));
        assertFalse(Arrays.equals(low.inputs(), high.inputs()), id + ": the level sets something");
      }
    }
  }

  /** {@code value} with its one boolean component named {@code *suffix} set to true. */
  private static Record withFlag(Record value, String suffix) throws ReflectiveOperationException {
    RecordComponent[] components = value.getClass().getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    int set = 0;
    for (int i = 0; i < components.length; i++) {
      args[i] = components[i].getAccessor().invoke(value);
      types[i] = components[i].getType();
      if (components[i].getName().endsWith(suffix)) {
        args[i] = true;
        set++;
      }
    }
    assertEquals(1, set, value.getClass() + " has one *" + suffix + " key");
    return (Record) value.getClass().getDeclaredConstructor(types).newInstance(args);
  }

  private static void assertPlain(Class<?> type, String path) {
    assertTrue(type.isRecord(), path + " is a record");
    for (RecordComponent component : type.getRecordComponents()) {
      Class<?> t = component.getType();
      String where = path + "." + component.getName();
      if (t.isRecord()) {
        assertPlain(t, where);
      } else {
        assertTrue(
            t.isPrimitive() || t.isEnum(),
            where + " is a primitive, an enum or a record, not " + t);
      }
    }
  }

  private static Record rebuild(Record value) throws ReflectiveOperationException {
    RecordComponent[] components = value.getClass().getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      Object v = components[i].getAccessor().invoke(value);
      args[i] = v instanceof Record r ? rebuild(r) : v;
      types[i] = components[i].getType();
    }
    Constructor<?> canonical = value.getClass().getDeclaredConstructor(types);
    return (Record) canonical.newInstance(args);
  }
}
