package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Commands of other modules join core's through {@link CommandProvider} ({@link
 * TestCommandProvider} here) and reach plugins and trainers through the {@link CommandContext}.
 */
class CommandProviderTest {

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void aProvidersCommandRunsAndSeesTheInstalledModels() {
    Result r = run("test-models");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().strip().startsWith("gru,leaky-rnn,low-rank-rnn,lstm,"), r.out());
  }

  @Test
  void anUnexpectedExceptionIsOneLineNamingTheFileWithItsTrace() throws java.io.IOException {
    Result r = run("test-models", "--crash");
    assertEquals(Main.SOFTWARE, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(
        r.err().startsWith("error: internal error: java.lang.IllegalStateException: a bug."),
        r.err());
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("The full trace is in (\\S+); please").matcher(r.err());
    assertTrue(m.find(), r.err());
    java.nio.file.Path trace = java.nio.file.Path.of(m.group(1));
    String text = java.nio.file.Files.readString(trace);
    java.nio.file.Files.delete(trace);
    assertTrue(text.startsWith("test-models --crash\n"), text);
    assertTrue(
        text.contains("\tat engram.core.cli.TestCommandProvider$ModelsCommand.call")
            && text.contains("Caused by: java.lang.ArithmeticException: the cause"),
        text);
  }

  @Test
  void theUsageListsItAfterCoresCommandsAndBeforeHelp() {
    Result r = run("--help");
    assertEquals(0, r.code(), r.err());
    int reproduce = r.out().indexOf("\n  reproduce");
    int provided = r.out().indexOf("\n  test-models");
    int help = r.out().indexOf("\n  help");
    assertTrue(reproduce >= 0 && reproduce < provided && provided < help, r.out());
  }

  @Test
  void anInvalidExperimentIsOneLineNamingTheKey() {
    Result r =
        run(
            "test-models",
            "--yaml",
            """
            seed: 1
            task: {id: n-parity}
            model: {id: no-such-model}
            curriculum: {id: multi-head}
            """);
    assertEquals(2, r.code(), r.out() + r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("error: ") && lines[0].contains("no-such-model"), lines[0]);
  }
}
