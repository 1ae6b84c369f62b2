package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What every task of this module satisfies with its default configuration. */
class TaskContractTest {

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Task<Record>> tasks() {
    List<Task<Record>> tasks = (List) ServiceLoader.load(Task.class).stream().map(ServiceLoader.Provider::get).toList();
    assertEquals(6, tasks.size(), "tasks found by ServiceLoader");
    return tasks;
  }

  private static int[][] levelSets(int min) {
    return new int[][] {{min}, {min + 1, min}, {min, min + 2, min + 1}};
  }

  @Test
  void batchesMatchTheDeclaredShapesAndAreFinite() {
    for (Task<Record> task : tasks()) {
      Record config = task.defaults();
      String id = task.info().id();
      int min = task.minLevel(config);
      assertTrue(min >= 1, id);
      for (int[] levels : levelSets(min)) {
        Batch batch = task.sample(config, levels, 6, new SplittableRandom(11));
        int cells = batch.steps() * batch.batch();
        assertEquals(6, batch.batch(), id);
        assertEquals(task.inputSize(config), batch.inputSize(), id);
        assertEquals(cells * batch.inputSize(), batch.inputs().length, id);
        assertEquals(cells, batch.periods().index().length, id);
        for (float x : batch.inputs()) {
          assertTrue(Float.isFinite(x), id + " input " + x);
        }
        assertEquals(levels.length, batch.targets().size(), id);
        for (int i = 0; i < levels.length; i++) {
          Target target = batch.targets().get(i);
          assertEquals(levels[i], target.level(), id + " targets come in the requested order");
          assertEquals(task.lossKind(config), target.kind(), id);
          assertEquals(task.outputSize(config), target.width(), id);
          assertEquals(cells, target.mask().length, id);
          int scored = 0;
          for (float m : target.mask()) {
            assertTrue(m == 0f || m == 1f, id + " mask " + m);
            scored += (int) m;
          }
          assertTrue(scored >= batch.batch(), id + " scores at least one step per sequence");
          for (float v : target.values()) {
            assertTrue(Float.isFinite(v), id + " target " + v);
            if (target.kind() == LossKind.CLASSIFICATION) {
              assertTrue(v >= 0 && v < target.width() && v == Math.rint(v), id + " label " + v);
            }
          }
        }
      }
    }
  }

  @Test
  void sameSeedSameBatchDifferentSeedDifferentBatch() {
    for (Task<Record> task : tasks()) {
      Record config = task.defaults();
      int[] levels = {task.minLevel(config) + 1, task.minLevel(config)};
      Batch a = task.sample(config, levels, 8, new SplittableRandom(5));
      Batch b = task.sample(config, levels, 8, new SplittableRandom(5));
      Batch c = task.sample(config, levels, 8, new SplittableRandom(6));
      String id = task.info().id();
      assertEquals(a.steps(), b.steps(), id);
      assertArrayEquals(a.inputs(), b.inputs(), id);
      assertArrayEquals(a.periods().index(), b.periods().index(), id);
      for (int i = 0; i < levels.length; i++) {
        assertArrayEquals(a.targets().get(i).values(), b.targets().get(i).values(), id);
        assertArrayEquals(a.targets().get(i).mask(), b.targets().get(i).mask(), id);
      }
      assertFalse(a.steps() == c.steps() && Arrays.equals(a.inputs(), c.inputs()), id + ": seeds 5 and 6 agree");
    }
  }

  @Test
  void onlyTheBitStreamTasksHaveAContinuousStream() {
    for (Task<Record> task : tasks()) {
      Record config = task.defaults();
      String id = task.info().id();
      int[] levels = {task.minLevel(config)};
      if (id.equals("n-parity") || id.equals("n-dms")) {
        assertEquals(25, task.stream(config, levels, 25, 3, new SplittableRandom(1)).steps(), id);
      } else {
        String message = assertThrows(UnsupportedOperationException.class,
            () -> task.stream(config, levels, 25, 3, new SplittableRandom(1))).getMessage();
        assertTrue(message.contains("'" + id + "'"), "the message names the task: " + message);
      }
    }
  }

  /**
   * Configuration records hold only primitives, enums and records of the same kind (no interfaces,
   * no collections), so core's Jackson binding of records by canonical constructor cannot meet a
   * type it does not know; rebuilding the defaults through the canonical constructor gives them
   * back, as binding a YAML dump of them does.
   */
  @Test
  void configsArePlainRecordsRebuiltByTheirCanonicalConstructor() throws ReflectiveOperationException {
    for (Task<Record> task : tasks()) {
      assertPlain(task.configType(), task.info().id());
      assertEquals(task.defaults(), rebuild(task.defaults()), task.info().id());
    }
  }

  /**
   * Parity and DMS keep N; the Haputhanthri tasks name the quantity their {@code *-from-level}
   * key makes the level set, and call it plain "level" without the key, when it sets nothing.
   */
  @Test
  void eachTaskNamesItsLevelByWhatTheLevelSets() throws ReflectiveOperationException {
    java.util.Map<String, String> byDefault = java.util.Map.of("n-parity", "N", "n-dms", "N",
        "flip-flop", "level", "delayed-addition", "level", "addition-problem", "level",
        "evidence-accumulation", "level");
    java.util.Map<String, String> fromLevel = java.util.Map.of("flip-flop", "bits",
        "delayed-addition", "delay", "addition-problem", "length",
        "evidence-accumulation", "stimulus");
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
        assertTrue(t.isPrimitive() || t.isEnum(), where + " is a primitive, an enum or a record, not " + t);
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
