//go:build linux && cgo

// With cgo, the floor links the C runtime the way nsbox does (nsbox's pre-runtime stage is C):
// scripts/bench builds it like nsbox, static and with musl where Debian's musl-tools is there.

package main

import "C"
