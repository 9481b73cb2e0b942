package cli

import (
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
