//go:build linux

package main

import "github.com/nsbox/nsbox/tools/complete"

// addAppletValueSets adds the value sets that applets export (lsns's column names).
func addAppletValueSets(sets complete.ValueSets) {}
