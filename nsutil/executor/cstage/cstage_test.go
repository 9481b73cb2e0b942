//go:build linux && cgo

package cstage

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/executor"
	"golang.org/x/sys/unix"
)

// The C stage and the Go executor give a program that cannot be executed the same exit status.
func TestExecFailureStatusAgrees(t *testing.T) {
	for errno := unix.Errno(1); errno < 256; errno++ {
		if got, want := execFailureStatus(int(errno)), executor.ExecFailureStatus(errno); got != want {
			t.Errorf("errno %d (%v): C status %d, Go status %d", int(errno), errno, got, want)
		}
	}
	if got := executor.ExecFailureStatus(unix.ENOENT); got != 127 {
		t.Errorf("ExecFailureStatus(ENOENT) = %d, want 127", got)
	}
	if got := executor.ExecFailureStatus(unix.EACCES); got != 126 {
		t.Errorf("ExecFailureStatus(EACCES) = %d, want 126", got)
	}
}
