//go:build linux

package nsutil

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// KernelLimit is a kernel feature that older kernels lack, with the release that added it (from
// the kernel's own history; scripts/test-kernels shows each on Debian's kernels). Where a
// failure is such a limit, nsbox prints util-linux's words and then Hint, so that scripts
// matching util-linux's message still match and the user learns what lifts it.
type KernelLimit struct {
	What         string // the subject of "needs": "pidfs needs", "time namespaces need"
	Major, Minor int
}

// The limits nsbox meets.
var (
	LimitPidfdOpen    = KernelLimit{"pidfd_open needs", 5, 3}                      // pidfd_open(2)
	LimitTimeNS       = KernelLimit{"time namespaces need", 5, 6}                  // CLONE_NEWTIME
	LimitPidfdSetns   = KernelLimit{"setns on a pidfd needs", 5, 8}                // setns(pidfd, mask)
	LimitPidfs        = KernelLimit{"pidfs needs", 6, 9}                           // pidfd inodes (PID:INODE)
	LimitBinfmtUserNS = KernelLimit{"binfmt_misc in a user namespace needs", 6, 7} // 21ca59b365c0
)

// Hint is the limit as the end of a message: "(pidfs needs Linux 6.9 or newer)".
func (l KernelLimit) Hint() string {
	return fmt.Sprintf("(%s Linux %d.%d or newer)", l.What, l.Major, l.Minor)
}

// Missing reports whether the running kernel is older than the release that lifts the limit
// (false when the release cannot be read).
func (l KernelLimit) Missing() bool {
	r := runningRelease()
	return r.ok && (r.major < l.Major || r.major == l.Major && r.minor < l.Minor)
}

type release struct {
	major, minor int
	ok           bool
}

var runningRelease = sync.OnceValue(func() release {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return release{}
	}
	major, minor, ok := kernelVersion(unix.ByteSliceToString(u.Release[:]))
	return release{major, minor, ok}
})

// WithHint is a plan step's error message msg that, when the limit is missing on the running
// kernel, ends with its Hint after the errno's text: "mount X failed: Operation not permitted
// (binfmt_misc in a user namespace needs Linux 6.7 or newer)".
func WithHint(msg string, l KernelLimit) string {
	if !l.Missing() {
		return msg
	}
	return msg + "\n" + l.Hint()
}
