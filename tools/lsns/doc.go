//go:build linux

// Package lsns is the lsns applet: it lists namespaces, as util-linux's lsns(8) does (same
// options, columns, text and JSON), plus a CONTAINER column and colour.
//
//	lsns [options] [namespace]
//
// It owns lsns's options, its columns and the rows built from them: the namespaces come from
// nsutil/discover, and the rows are printed and filtered by tools/lsns/scols.
package lsns
