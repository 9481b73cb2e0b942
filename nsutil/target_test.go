//go:build linux

package nsutil

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOpenNamespaceChecksKind(t *testing.T) {
	net, _ := KindByName("net")
	uts, _ := KindByName("uts")
	f, err := OpenNamespace("/proc/self/ns/net", &net)
	if err != nil {
		t.Fatalf("OpenNamespace(net) = %v", err)
	}
	if flags, _ := unix.FcntlInt(uintptr(f.FD), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("namespace fd is not close-on-exec")
	}
	f.Close()
	if _, err := OpenNamespace("/proc/self/ns/net", &uts); err == nil || !strings.Contains(err.Error(), "is a net namespace, not uts") {
		t.Errorf("OpenNamespace(net as uts) = %v", err)
	}
	if _, err := OpenNamespace("/etc/passwd", nil); err == nil || !strings.Contains(err.Error(), "not a namespace") {
		t.Errorf("OpenNamespace(/etc/passwd) = %v", err)
	}
	if _, err := OpenNamespace("/nonexistent", nil); err == nil || !strings.Contains(err.Error(), "cannot open /nonexistent") {
		t.Errorf("OpenNamespace(/nonexistent) = %v", err)
	}
}
