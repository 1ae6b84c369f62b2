package engram.core.run;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
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
 */
public final class RunLog implements AutoCloseable {
  /** Timestamp (UTC, ISO-8601), level, logger, message, stack trace if any. */
  public static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level %logger - %msg%n";

  private final Logger root;
  private final FileAppender<ILoggingEvent> appender;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RunLog(Logger root, FileAppender<ILoggingEvent> appender) {
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
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      throw new IllegalStateException(
          "run.log needs logback as the SLF4J provider, found " + factory.getClass().getName());
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("run-log-" + logFile);
    appender.setFile(logFile.toAbsolutePath().toString());
    appender.setAppend(true);
    appender.setImmediateFlush(true);
    appender.setEncoder(encoder);
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
}
