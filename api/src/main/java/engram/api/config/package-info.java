/**
 * Helpers for plugin configuration records: {@link engram.api.config.Doc} describes a key for
 * listings and documentation, {@link engram.api.config.Check} validates values with messages that
 * start with the key.
 */
package engram.api.config;
