//go:build linux

package nsutil

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil/nstest"
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
	missing := nstest.MissingPath(t) // not /nonexistent, which a machine may have
	if _, err := OpenNamespace(missing, nil); err == nil || !strings.Contains(err.Error(), "cannot open "+missing) {
		t.Errorf("OpenNamespace(%s) = %v", missing, err)
	}
}
