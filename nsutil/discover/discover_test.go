//go:build linux

package discover

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
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

// TestScanNamespaceHeldByFD: a network namespace only an open descriptor of ours holds is found
// by the descriptor's device, with no process, its owner and a NETNSID (the kernel's answer,
// unassigned when it has none), as one processes are in.
func TestScanNamespaceHeldByFD(t *testing.T) {
	nstest.RequireRoot(t)
	cmd := exec.Command("/usr/bin/unshare", "--net", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	var fd int
	var st unix.Stat_t
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("unshare --net did not make its namespace")
		}
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
		if own, _ := os.Readlink("/proc/self/ns/net"); link == "" || link == own {
			continue
		}
		var err error
		if fd, err = unix.Open(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid), unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
			t.Fatal(err)
		}
		break
	}
	defer unix.Close(fd)
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	h, err := Scan(Options{Kinds: allKinds(), NetNSID: true})
	if err != nil {
		t.Fatal(err)
	}
	ns := h.Namespace(st.Ino)
	if ns == nil {
		t.Fatalf("net namespace %d held by our fd %d is not found", st.Ino, fd)
	}
	if len(ns.Procs) != 0 || ns.Proc != nil || ns.Relations.Owner == 0 || ns.OwnerNS == nil {
		t.Errorf("namespace %d: %d processes, owner %d (%v); want none, and its owner", st.Ino, len(ns.Procs), ns.Relations.Owner, ns.OwnerNS)
	}
	if !ns.HasNetNSID || (ns.NetNSID < 0 && ns.NetNSID != unix.NETNSA_NSID_NOT_ASSIGNED) {
		t.Errorf("namespace %d: NETNSID %d (asked: %v), want an id or unassigned", st.Ino, ns.NetNSID, ns.HasNetNSID)
	}
}
