/**
 * What a curriculum decides: the {@link engram.api.curriculum.Stage} being trained (levels and the
 * readout head of each, as {@link engram.api.curriculum.Assignment}s) and, after each evaluation, a
 * {@link engram.api.curriculum.Decision} to stay, advance or finish. Immutable values.
 */
package engram.api.curriculum;
