//go:build linux

package main

import (
	"github.com/nsbox/nsbox/tools/complete"
	"github.com/nsbox/nsbox/tools/lsns"
)

// addAppletValueSets adds the value sets that applet packages export for the grammars'
// `complete:"..."` tags: "columns" for lsns -o is lsns.ColumnNames() once the lsns package
// exports it (sets["columns"] = lsns.ColumnNames()). Until a set is here, a grammar that names
// it makes `nsbox --completion` fail, and with it the completion tests and make install.
func addAppletValueSets(sets complete.ValueSets) {
	sets["columns"] = lsns.ColumnNames()
}
