/**
 * Engram's service provider interface: the contracts every plugin implements and the small value
 * types that cross them. No ND4J backend, no Guice and no I/O live here; a plugin author needs this
 * module (and ND4J's interfaces) and nothing else.
 */
module engram.api {
  requires transitive nd4j.api;
  // transitive: @API marks the exported types, so a module reading them needs to see it
  requires static transitive org.apiguardian.api;

  exports engram.api;
  exports engram.api.task;
  exports engram.api.curriculum;
  exports engram.api.config;
  exports engram.api.table;
  exports engram.api.study;

  uses engram.api.Task;
  uses engram.api.Model;
  uses engram.api.Curriculum;
  uses engram.api.Regularizer;
  uses engram.api.Analyzer;
  uses engram.api.study.Study;
}
