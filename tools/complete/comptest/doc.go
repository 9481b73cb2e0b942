//go:build linux

// Package comptest drives the generated shell completion scripts the way the shells do, for
// tests: bash's completion function with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set, and
// fish's `complete -C`.
package comptest
