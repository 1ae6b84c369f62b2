package engram.bench;

import java.util.Locale;

/**
 * One benchmark shape: hidden units H, batch B, sequence length T and readout heads.
 *
 * @param name {@code S}, {@code M}, {@code L} or the spec {@code H:B:T:HEADS} itself
 */
public record BenchShape(String name, int hidden, int batch, int steps, int heads) {
  /** The timescales paper's quick scale: H 128, B 64, T 50, 1 head. */
  public static final BenchShape S = new BenchShape("S", 128, 64, 50, 1);

  /** H 256, B 128, T 100, 1 head. */
  public static final BenchShape M = new BenchShape("M", 256, 128, 100, 1);

  /** The paper's networks: H 500, B 256, T 100, 29 heads (N = 2 … 30 under multi-head). */
  public static final BenchShape L = new BenchShape("L", 500, 256, 100, 29);

  public BenchShape {
    if (hidden < 1 || batch < 1 || steps < 1 || heads < 1) {
      throw new IllegalArgumentException("every size must be ≥ 1");
    }
  }

  /**
   * Parses {@code S}, {@code M}, {@code L} (any case) or {@code H:B:T:HEADS}.
   *
   * @throws IllegalArgumentException with a message naming the fix
   */
  public static BenchShape parse(String spec) {
    String s = spec.strip();
    switch (s.toUpperCase(Locale.ROOT)) {
      case "S":
        return S;
      case "M":
        return M;
      case "L":
        return L;
      default:
        break;
    }
    String[] parts = s.split(":");
    if (parts.length == 4) {
      try {
        int[] v = new int[4];
        for (int i = 0; i < 4; i++) {
          v[i] = Integer.parseInt(parts[i].strip());
        }
        if (v[0] >= 1 && v[1] >= 1 && v[2] >= 1 && v[3] >= 1) {
          return new BenchShape(s, v[0], v[1], v[2], v[3]);
        }
      } catch (NumberFormatException ignored) {
        // falls through to the message
      }
    }
    throw new IllegalArgumentException(
        "unknown shape '"
            + spec
            + "'. Fix: use S, M, L or "
            + "H:B:T:HEADS with positive integers (e.g. --shapes S,64:32:20:1).");
  }

  /** {@code H 500, B 256, T 100, 29 heads}. */
  public String describe() {
    return "H "
        + hidden
        + ", B "
        + batch
        + ", T "
        + steps
        + ", "
        + heads
        + (heads == 1 ? " head" : " heads");
  }
}
