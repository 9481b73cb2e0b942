//go:build linux

package discover

import (
	"cmp"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

func allKinds() []bool {
	kinds := make([]bool, len(nsutil.Kinds))
	for k := range kinds {
		kinds[k] = true
	}
	return kinds
}

// TestScanFindsOwnNamespaces: every namespace of this process is found with the process in it,
// and Load fills in its parent and command line.
func TestScanFindsOwnNamespaces(t *testing.T) {
	h, err := Scan(Options{Kinds: allKinds(), Relations: true, NetNSID: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(h.Namespaces, func(a, b *Namespace) int { return cmp.Compare(a.Inode, b.Inode) }) {
		t.Errorf("namespaces are not sorted by inode")
	}
	var self *Process
	for k, kind := range nsutil.Kinds {
		var st unix.Stat_t
		if err := unix.Stat(kind.ProcPath(os.Getpid()), &st); err != nil {
			continue // a kind this kernel lacks
		}
		ns := h.Namespace(st.Ino)
		if ns == nil || ns.Kind != k {
			t.Errorf("%s namespace %d: found %+v", kind.Name, st.Ino, ns)
			continue
		}
		i := slices.IndexFunc(ns.Procs, func(p *Process) bool { return p.PID == os.Getpid() })
		if i < 0 {
			t.Errorf("%s namespace %d: our process is not in it", kind.Name, st.Ino)
			continue
		}
		self = ns.Procs[i]
		if kind.Name == "net" && !ns.HasNetNSID {
			t.Errorf("net namespace %d: no NETNSID", st.Ino)
		}
		if kind.Name != "user" && ns.Relations.Owner == 0 {
			t.Errorf("%s namespace %d: no owner", kind.Name, st.Ino)
		}
	}
	if self == nil {
		t.Fatal("our process was not found")
	}
	if self.UID != uint32(os.Geteuid()) {
		t.Errorf("UID = %d, want %d", self.UID, os.Geteuid())
	}
	h.Load([]*Process{self}, true)
	if self.PPID != os.Getppid() || self.Command == "" {
		t.Errorf("after Load: PPID %d, Command %q; want %d and our command line", self.PPID, self.Command, os.Getppid())
	}
	if h.Namespace(1) != nil {
		t.Errorf("Namespace(1) found something")
	}
}

// TestScanUnsupportedIoctl: relations the kernel cannot give are zero, and each namespace whose
// lookup failed gives one entry in Unsupported.
func TestScanUnsupportedIoctl(t *testing.T) {
	calls := 0
	fake := func(int, nsutil.Kind) (nsutil.NSRelations, error) {
		calls++
		return nsutil.NSRelations{}, &nsutil.UnsupportedIoctlError{Name: "NS_GET_USERNS", Errno: unix.ENOSYS}
	}
	h, err := Scan(Options{Kinds: allKinds(), Relations: true, RelationsOf: fake})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Unsupported) == 0 || len(h.Unsupported) != calls {
		t.Errorf("%d Unsupported for %d failed lookups, want one each", len(h.Unsupported), calls)
	}
	for _, u := range h.Unsupported {
		if u.Name != "NS_GET_USERNS" || !errors.Is(u, unix.ENOSYS) {
			t.Errorf("Unsupported entry %v, want NS_GET_USERNS ENOSYS", u)
		}
	}
	for _, ns := range h.Namespaces {
		if ns.Proc != nil && ns.Relations != (nsutil.NSRelations{}) {
			t.Errorf("namespace %d: relations %+v, want zeros", ns.Inode, ns.Relations)
		}
	}
}
