// Package scols is lsns's output engine, after util-linux's libsmartcols: a table of columns
// and rows (optionally a tree) printed in the human, raw (-r) and JSON (-J) formats
// byte-identically to libsmartcols 2.42, and the filter language of -Q/--filter, parsed,
// echoed and evaluated as libsmartcols does. It knows nothing of namespaces.
package scols
