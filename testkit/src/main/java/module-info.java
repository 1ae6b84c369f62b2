/**
 * Engram's testkit for plugin authors (and Engram's own plugins): finite-difference checks of
 * cells, whole networks and regularizers, the check of a fast kernel against its cell, contract
 * suites to inherit (models, tasks, regularizers, and the checks every plugin passes), and a fake
 * analysis context. Use it in test scope.
 */
module engram.testkit {
  requires transitive engram.api;
  requires transitive engram.runtime;
  requires transitive org.junit.jupiter.api;
  requires transitive org.junit.jupiter.params;
  requires static org.apiguardian.api;

  exports engram.testkit;
}
