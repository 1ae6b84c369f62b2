package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * What every task of this module satisfies beyond the testkit's contract (which each task's own
 * test inherits): configuration records core can bind without surprises.
 */
class TaskContractTest {

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Task<Record>> tasks() {
    List<Task<Record>> tasks = (List) ServiceLoader.load(Task.class).stream().map(ServiceLoader.Provider::get).toList();
    assertEquals(6, tasks.size(), "tasks found by ServiceLoader");
    return tasks;
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
