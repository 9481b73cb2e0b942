//go:build linux

package cli

// CompleteTag is the struct tag that tells the shell-completion generator (package
// tools/complete, `nsbox --completion=bash|zsh|fish`) what an option's value or a positional
// argument is, when kong does not already know it. Completions are generated from the kong
// grammar and never kept by hand, so a grammar that wants good completions says so here:
//
//	Target  string   `short:"t" placeholder:"pid" complete:"pids" help:"..."`
//	Types   []string `short:"t" name:"type" complete:"kinds" help:"..."`
//	Output  string   `short:"o" complete:"columns" help:"..."`
//	Tree    OptionalValue `short:"T" optvalue:"rel" complete:"values=process,parent,owner" help:"..."`
//	Program []string `arg:"" optional:"" passthrough:"partial" help:"..."`
//
// The values of the tag:
//
//	kinds        namespace kinds (mnt, net, ...), from nsutil.Kinds
//	columns      lsns column names (lsns.ColumnNames), a comma-separated list, "+" prefix allowed
//	signals      signal names (SIGTERM, ...)
//	pids         process IDs from /proc
//	netns        `ip netns` names (/run/netns), or a file when the word has a "/"
//	files, dirs  file or directory names
//	users        user names; groups: group names
//	command      a program name, then that program's own arguments (its own completion)
//	values=A,B   a fixed set of words that kong does not check as an enum
//	none         nothing (an explicit "do not complete")
//
// Without the tag: a kong `enum:"..."`, or an OptionalValue's `choices:"..."`, gives its values; a slice flag (unless sep:"none")
// completes a comma-separated list; a passthrough positional is a command; otherwise the
// placeholder (or an OptionalValue's `optvalue` name; of "file|name" the first known) decides:
// file/path, dir, pid, signal/signame, user, group; anything else (uid, fd, expr...) gets no
// completion. A flag tagged `hidden:""` is not completed. A tag value the generator does not
// know makes `nsbox --completion` fail, so a typo cannot go unnoticed.
//
// Applets that colour their output embed ColorFlag (see color.go); its --color values complete
// from its choices tag like any other.
const CompleteTag = "complete"
