/**
 * Engram's built-in recurrent models. Each model lives in its own package, which is not exported:
 * core reaches the models only through {@link java.util.ServiceLoader} and binds their
 * configuration records reflectively.
 */
module engram.models {
  requires engram.api;
  // Internal helpers of the fused kernels (HostLoops, Buffers, Blas, FloatActivations); exported
  // to this module and core only. Brings org.bytedeco.javacpp (Pointer) with it.
  requires engram.kernels;
  requires static org.apiguardian.api;

  provides engram.api.Model with
      engram.models.leaky.LeakyRnnModel,
      engram.models.gru.GruModel,
      engram.models.lstm.LstmModel,
      engram.models.plrnn.PlrnnModel,
      engram.models.rankone.RankOneRnnModel,
      engram.models.lowrank.LowRankRnnModel,
      engram.models.vanilla.VanillaRnnModel;

  opens engram.models.leaky to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.gru to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.lstm to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.plrnn to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.rankone to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.lowrank to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.models.vanilla to
      engram.core,
      com.fasterxml.jackson.databind;
}
