package engram.core.run;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Copies log events into a run's {@code run.log} while the run lasts. With core's {@code
 * logback.xml}, the file receives INFO and above from {@code engram.*} loggers and WARN and above
 * from everything else (ND4J is chatty), while the console shows only warnings and errors.
 *
 * <pre>
 * try (RunLog log = RunLog.attach(run.logFile())) {
 *   ... train ...
 * }
 * </pre>
 *
 * <p>The file only ever ends with a whole line: each event's line is appended all or none (as
 * {@code metrics.csv}'s rows), and a line that cannot be written stays pending for the next one. So
 * that the line saying why a run stopped reaches the file even when the disk is full, attaching
 * reserves {@value #RESERVE_BYTES} bytes next to the log ({@code .run.log.reserve}, deleted when
 * the log is closed); the first failed write deletes the reserve and tries again. A line that still
 * cannot be written is kept in memory, up to {@value #MAX_PENDING} characters, and written when
 * space is freed.
 */
public final class RunLog implements AutoCloseable {
  /** Timestamp (UTC, ISO-8601), level, logger, message, stack trace if any. */
  public static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger - %msg%n";

  /** Bytes kept free for the log's last lines. */
  public static final int RESERVE_BYTES = 64 * 1024;

  /** Characters of unwritten lines kept in memory at most; more are dropped. */
  static final int MAX_PENDING = 1 << 20;

  private final Logger root;
  private final OutputStreamAppender<ILoggingEvent> appender;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RunLog(Logger root, OutputStreamAppender<ILoggingEvent> appender) {
    this.root = root;
    this.appender = appender;
  }

  /**
   * Adds a file appender for {@code logFile} (appending, created if missing) to the root logger; it
   * records the events of the calling thread only.
   *
   * @throws IllegalStateException if SLF4J is not bound to logback
   */
  public static RunLog attach(Path logFile) {
    return attach(logFile, RunFiles.SYSTEM);
  }

  /**
   * As {@link #attach(Path)}, writing through {@code files}.
   *
   * @throws IllegalStateException if SLF4J is not bound to logback or the file cannot be opened
   */
  public static RunLog attach(Path logFile, RunFiles files) {
    LogStream stream;
    try {
      stream = new LogStream(logFile, files);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the run log " + logFile + ": " + e.getMessage());
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      throw new IllegalStateException(
          "run.log needs logback as the SLF4J provider, found " + factory.getClass().getName());
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("run-log-" + logFile);
    appender.setImmediateFlush(true);
    appender.setEncoder(encoder);
    appender.setOutputStream(stream);
    // Only the attaching thread's events: runs trained side by side in one process (engram
    // reproduce) each keep their own log.
    String thread = Thread.currentThread().getName();
    appender.addFilter(
        new ch.qos.logback.core.filter.Filter<>() {
          @Override
          public ch.qos.logback.core.spi.FilterReply decide(ILoggingEvent event) {
            return thread.equals(event.getThreadName())
                ? ch.qos.logback.core.spi.FilterReply.NEUTRAL
                : ch.qos.logback.core.spi.FilterReply.DENY;
          }
        });
    appender.start();
    if (!appender.isStarted()) {
      throw new IllegalStateException("cannot open the run log " + logFile);
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    return new RunLog(root, appender);
  }

  /** Detaches and closes the file; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      root.detachAppender(appender);
      appender.stop();
    }
  }

  /**
   * The appender's stream: bytes of one event are collected until the appender flushes, then
   * appended to the file as whole lines; never throws, so logback keeps the appender running.
   */
  private static final class LogStream extends OutputStream {
    private final WholeLines lines;
    private final RunFiles files;
    private final Path reserve;
    private final ByteArrayOutputStream event = new ByteArrayOutputStream(256);
    private boolean reserved;

    LogStream(Path logFile, RunFiles files) throws IOException {
      this.lines = new WholeLines(logFile, files, false);
      this.files = files;
      this.reserve = logFile.resolveSibling("." + logFile.getFileName() + ".reserve");
      this.reserved = reserve();
    }

    private boolean reserve() {
      try (var channel = files.open(reserve, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer zeros = ByteBuffer.allocate(RESERVE_BYTES);
        while (zeros.hasRemaining()) {
          channel.write(zeros);
        }
        return true;
      } catch (IOException e) {
        release(); // a disk already full: no reserve, and no partial one left behind
        return false;
      }
    }

    private void release() {
      try {
        files.delete(reserve);
      } catch (IOException ignored) {
        // a hidden file of 64 KB, left in the run directory
      }
    }

    @Override
    public void write(int b) {
      event.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      event.write(b, off, len);
    }

    @Override
    public void flush() {
      if (event.size() > 0) {
        lines.append(event.toString(StandardCharsets.UTF_8));
        event.reset();
      }
      try {
        lines.flush();
      } catch (IOException full) {
        if (reserved) { // free the reserve, so this line and the next few fit
          reserved = false;
          release();
          try {
            lines.flush();
            return;
          } catch (IOException stillFull) {
            // kept pending below
          }
        }
        if (lines.pendingLength() > MAX_PENDING) {
          lines.dropPending();
        }
      }
    }

    @Override
    public void close() {
      flush();
      try {
        lines.close();
      } catch (IOException ignored) {
        // what could not be written is lost with the process; the file ends with a whole line
      }
      if (reserved) {
        reserved = false;
        release();
      }
    }
  }
}
