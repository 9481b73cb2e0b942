//go:build linux

package cli

import (
	"io"
	"path/filepath"
	"strings"
)

// AppletOf is the applet argv runs and the arguments it gets: the base name of argv[0] (a link
// named after the applet: `unshare -n`), or, when that is nsbox itself (any name that starts
// with "nsbox"), the first argument unless it is an option (`nsbox unshare -n`). For nsbox's own
// options (`nsbox --list`) it is nsbox's name and the arguments after it. The dispatcher and
// pidns-init (which must know before main runs) both ask it.
func AppletOf(argv []string) (name string, args []string) {
	if len(argv) == 0 {
		return "", nil
	}
	name = filepath.Base(argv[0])
	if strings.HasPrefix(name, "nsbox") && len(argv) > 1 && !strings.HasPrefix(argv[1], "-") {
		return argv[1], argv[2:]
	}
	return name, argv[1:]
}

// ParseCommand parses an applet's args (without the program name) with the spec and fresh
// grammar command returns, help and version going to stdout and usage errors to stderr, and
// returns the grammar filled in. When done, the applet exits with code at once (see Parse).
func ParseCommand(command func() (Spec, any), args []string, stdout, stderr io.Writer) (grammar any, opts *Options, code int, done bool) {
	spec, grammar := command()
	spec.Stdout, spec.Stderr = stdout, stderr
	opts, code, done = Parse(spec, grammar, args)
	return grammar, opts, code, done
}
