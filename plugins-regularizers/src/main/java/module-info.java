/** Built-in regularizers: terms added to the training loss, with their gradients. */
module engram.regularizers {
  requires engram.api;

  provides engram.api.Regularizer with
      engram.regularizers.activity.ActivityL2Regularizer,
      engram.regularizers.temporal.TemporalConsistencyRegularizer,
      engram.regularizers.weight.WeightL2Regularizer,
      engram.regularizers.noise.NoiseInjectionRegularizer;

  opens engram.regularizers.activity to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.regularizers.temporal to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.regularizers.weight to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.regularizers.noise to
      engram.core,
      com.fasterxml.jackson.databind;
}
