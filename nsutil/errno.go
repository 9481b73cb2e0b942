//go:build linux

package nsutil

import (
	"strings"
	"syscall"
)

// Strerror is errno's description as the GNU C library words it, which util-linux prints:
// Go's text with a capital ("No such process", not "no such process"). The executor hands
// these texts to its C stage, so that they do not depend on the C library nsbox is linked with.
func Strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
