//go:build linux

package main

import (
	"github.com/nsbox/nsbox/tools/complete"
	"github.com/nsbox/nsbox/tools/lsns"
)

// addAppletValueSets adds the value sets that applet packages export for the grammars'
// `complete:"..."` tags: "columns", lsns -o's column names. A grammar that names a set missing
// here makes `nsbox --completion` fail, and with it the completion tests and make install.
func addAppletValueSets(sets complete.ValueSets) {
	sets["columns"] = lsns.ColumnNames()
}
