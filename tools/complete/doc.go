//go:build linux

// Package complete generates bash, zsh and fish completion scripts for nsbox's applets from
// their kong grammars, so that completions cannot drift from what the applets accept. The
// grammar's `complete:"..."` tags (see cli.CompleteTag) say what values are; enum tags,
// placeholders and passthrough positionals fill in the rest. The scripts follow getopt's
// rules as the applets do: options stop at the first program name, and an optional value is
// only ever attached (`--net=FILE`).
package complete
