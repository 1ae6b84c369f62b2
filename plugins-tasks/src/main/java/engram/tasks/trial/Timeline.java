package engram.tasks.trial;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The periods of a trial in the order they happen (cue, delay, response, …), each with its
 * duration. A task declares its protocol as a timeline, for example {@code
 * Timeline.of(period("cue", Steps.fixed(1)), period("delay", Steps.uniform(5, 15)),
 * period("response", Steps.fixed(5)))}, and {@link TrialBatch#draw} lays it out for each trial.
 *
 * @param periods periods in trial order, with distinct names; at most 127
 */
public record Timeline(List<Period> periods) {

  /**
   * One named period.
   *
   * @param name the name masks, plots and analyses use
   * @param duration how many steps it lasts
   */
  public record Period(String name, Steps duration) {
    public Period {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(duration, "duration of " + name);
    }

    @Override
    public String toString() {
      return name + " " + duration;
    }
  }

  public Timeline {
    periods = List.copyOf(periods);
    if (periods.isEmpty() || periods.size() > Byte.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a timeline needs 1 to 127 periods, got " + periods.size());
    }
    if (!periods.stream().map(Period::name).allMatch(new HashSet<>()::add)) {
      throw new IllegalArgumentException(
          "period names must be distinct: " + periods.stream().map(Period::name).toList());
    }
  }

  /** A timeline of these periods, in this order. */
  public static Timeline of(Period... periods) {
    return new Timeline(List.of(periods));
  }

  /** A period named {@code name} that lasts {@code duration}. */
  public static Period period(String name, Steps duration) {
    return new Period(name, duration);
  }

  /** Period names in trial order. */
  public List<String> names() {
    return periods.stream().map(Period::name).toList();
  }

  /** Position of the named period in trial order. */
  int position(String name) {
    for (int p = 0; p < periods.size(); p++) {
      if (periods.get(p).name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "no period named '" + name + "'; this trial's periods are " + names());
  }

  /** "cue1 1 step → delay1 uniform 5–15 steps → …". */
  @Override
  public String toString() {
    return periods.stream().map(Period::toString).collect(Collectors.joining(" → "));
  }
}
