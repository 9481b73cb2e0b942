//go:build linux

package nsutil

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The hint follows util-linux's words and the errno's text, in both engines' messages.
func TestKernelLimitMessages(t *testing.T) {
	if got, want := LimitPidfs.Hint(), "(pidfs needs Linux 6.9 or newer)"; got != want {
		t.Errorf("Hint() = %q; want %q", got, want)
	}
	old := KernelLimit{"a feature needs", 999, 0} // missing on every kernel
	if got, want := WithHint("mount /x failed", old), "mount /x failed\n(a feature needs Linux 999.0 or newer)"; got != want {
		t.Errorf("WithHint on a kernel without it = %q; want %q", got, want)
	}
	if got := WithHint("mount /x failed", KernelLimit{"an old feature needs", 2, 6}); got != "mount /x failed" {
		t.Errorf("WithHint on a kernel that has it = %q; want no hint", got)
	}
	pe := &PidfdError{PID: 42, Err: unix.ENOTSUP}
	if got, want := pe.Error(), "failed to obtain a valid file descriptor for PID 42: operation not supported (pidfs needs Linux 6.9 or newer)"; got != want {
		t.Errorf("PidfdError = %q; want %q", got, want)
	}
	pe = &PidfdError{PID: 42, Err: unix.ESRCH}
	if got, want := pe.Error(), "failed to obtain a valid file descriptor for PID 42: no such process"; got != want {
		t.Errorf("PidfdError = %q; want %q", got, want)
	}
}
