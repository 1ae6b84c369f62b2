package engram.analysis.fixedpoints;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows points (fixed points, ghosts, slow points) across consecutive checkpoints, so that one
 * can read when a ghost appears, when it turns into a fixed point and when a point disappears (spec
 * memory-geometry §8, "Ghost points").
 *
 * <p>Matching between frame t−1 and frame t: every pair (a track alive at t−1, a point of frame t)
 * closer than {@code maxDistance} (Euclidean, in state space) is a candidate; pairs are taken by
 * increasing distance (ties: lower track id, then lower point index), each track and each point at
 * most once. A point left unmatched starts a new track; a track left unmatched ends, with a row of
 * event {@code disappears} at frame t. Track ids count from 0 in order of appearance.
 * Deterministic.
 */
public final class PointTracker {

  /** One point of one frame. */
  public record Tracked(double[] state, double q, String kind, String stability, double[] pcs) {}

  /**
   * One row of a track.
   *
   * @param track the track's id
   * @param frame the frame's index
   * @param point the point's index within its frame, −1 for {@code disappears}
   * @param event appears, continues, becomes-fixed, becomes-ghost, becomes-slow or disappears
   * @param kind the point's kind at this frame (its last kind for {@code disappears})
   */
  public record Row(int track, int frame, int point, String event, String kind) {}

  private PointTracker() {}

  /**
   * Tracks of the frames.
   *
   * @param frames the points of every checkpoint, oldest first
   * @param maxDistance largest distance of a match, &gt; 0
   * @return rows by frame, then track
   */
  public static List<Row> track(List<List<Tracked>> frames, double maxDistance) {
    if (!(maxDistance > 0)) {
      throw new IllegalArgumentException("track distance must be > 0 (was " + maxDistance + ")");
    }
    List<Row> rows = new ArrayList<>();
    List<double[]> lastState = new ArrayList<>(); // per track id
    List<String> lastKind = new ArrayList<>();
    List<Integer> alive = new ArrayList<>();
    for (int t = 0; t < frames.size(); t++) {
      List<Tracked> frame = frames.get(t);
      List<int[]> pairs = new ArrayList<>();
      List<Double> distances = new ArrayList<>();
      for (int track : alive) {
        for (int p = 0; p < frame.size(); p++) {
          double d = FixedPointFinder.distance(lastState.get(track), frame.get(p).state());
          if (d < maxDistance) {
            pairs.add(new int[] {track, p, distances.size()});
            distances.add(d);
          }
        }
      }
      pairs.sort(
          Comparator.<int[]>comparingDouble(pair -> distances.get(pair[2]))
              .thenComparingInt(pair -> pair[0])
              .thenComparingInt(pair -> pair[1]));
      int[] trackOf = new int[frame.size()];
      java.util.Arrays.fill(trackOf, -1);
      List<Integer> matched = new ArrayList<>();
      for (int[] pair : pairs) {
        if (trackOf[pair[1]] < 0 && !matched.contains(pair[0])) {
          trackOf[pair[1]] = pair[0];
          matched.add(pair[0]);
        }
      }
      List<Row> frameRows = new ArrayList<>();
      for (int track : alive) {
        if (!matched.contains(track)) {
          frameRows.add(new Row(track, t, -1, "disappears", lastKind.get(track)));
        }
      }
      List<Integer> nextAlive = new ArrayList<>();
      for (int p = 0; p < frame.size(); p++) {
        String kind = frame.get(p).kind();
        String event;
        int track = trackOf[p];
        if (track < 0) {
          track = lastState.size();
          lastState.add(null);
          lastKind.add(null);
          event = "appears";
        } else {
          event = kind.equals(lastKind.get(track)) ? "continues" : "becomes-" + kind;
        }
        lastState.set(track, frame.get(p).state());
        lastKind.set(track, kind);
        nextAlive.add(track);
        frameRows.add(new Row(track, t, p, event, kind));
      }
      frameRows.sort(Comparator.comparingInt(Row::track));
      rows.addAll(frameRows);
      nextAlive.sort(null);
      alive = nextAlive;
    }
    return List.copyOf(rows);
  }
}
