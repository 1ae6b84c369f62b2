/**
 * Tables that analyzers write and studies read. An analyzer declares each CSV file it writes as a
 * {@link engram.api.table.TableSpec} (file name, column names with their {@link
 * engram.api.table.ColumnType}, units and meaning); core reads those files by declaration into
 * immutable {@link engram.api.table.Table}s of typed columns, which is what a study sees. The
 * declaration is the schema: a reader relies on nothing a table does not declare.
 */
package engram.api.table;
