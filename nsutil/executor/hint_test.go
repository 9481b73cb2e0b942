//go:build linux

package executor

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// A kernel-limit hint (nsutil.WithHint) follows the errno's text in the in-process engine's
// message, as in the C stage's.
func TestStepErrorHint(t *testing.T) {
	msg := nsutil.WithHint("mount /x failed", nsutil.KernelLimit{What: "a feature needs", Major: 999})
	err := &StepError{Msg: msg, Err: unix.EPERM, Code: 1}
	if got, want := err.Error(), "mount /x failed: operation not permitted (a feature needs Linux 999.0 or newer)"; got != want {
		t.Errorf("StepError = %q; want %q", got, want)
	}
	err = &StepError{Msg: "unshare failed", Err: unix.EINVAL, Code: 1}
	if got, want := err.Error(), "unshare failed: invalid argument"; got != want {
		t.Errorf("StepError = %q; want %q", got, want)
	}
}
