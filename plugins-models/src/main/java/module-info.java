/**
 * Engram's built-in recurrent models. Each model lives in its own package, which is not exported:
 * core reaches the models only through {@link java.util.ServiceLoader} and binds their
 * configuration records reflectively.
 */
module engram.models {
  requires engram.api;
  requires org.bytedeco.javacpp; // HostLoops: bulk copies between native buffers and Java arrays
  requires org.bytedeco.openblas; // Blas: per-step products without ND4J's dispatch
  requires static org.apiguardian.api;

  provides engram.api.Model with
      engram.models.leaky.LeakyRnnModel,
      engram.models.gru.GruModel,
      engram.models.lstm.LstmModel,
      engram.models.plrnn.PlrnnModel,
      engram.models.rankone.RankOneRnnModel,
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
  opens engram.models.vanilla to
      engram.core,
      com.fasterxml.jackson.databind;
}
