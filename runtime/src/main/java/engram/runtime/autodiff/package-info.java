/**
 * Cells whose author writes only the forward step: {@link engram.runtime.autodiff.AutodiffCell}
 * differentiates a step written as an ND4J SameDiff graph. Experimental; what it costs against a
 * hand-written VJP is measured in {@code docs/autodiff-step.md}.
 */
package engram.runtime.autodiff;
