//go:build linux

package nsutil

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/procfs"
	"golang.org/x/sys/unix"
)

const mountinfoSample = `22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
30 22 0:25 / /run rw,nosuid shared:5 - tmpfs tmpfs rw
31 30 0:26 / /run/netns rw - tmpfs tmpfs rw
40 22 0:27 / /mnt/with\040space rw shared:9 master:2 - tmpfs tmpfs rw
41 31 0:28 / /run/netns rw shared:7 - tmpfs tmpfs rw
`

func TestMountContaining(t *testing.T) {
	tests := []struct {
		path   string
		mp     string
		shared bool
	}{
		{"/etc/passwd", "/", true},
		{"/run/x", "/run", true},
		{"/runner", "/", true},
		{"/run/netns/a", "/run/netns", true}, // the last mount stacked on /run/netns
		{"/mnt/with space/f", "/mnt/with space", true},
	}
	for _, tc := range tests {
		e, ok := mountContaining(procfs.ParseMountinfo([]byte(mountinfoSample)), tc.path)
		if !ok || e.MountPoint != tc.mp || e.Shared() != tc.shared {
			t.Errorf("mountContaining(%q) = %+v, %v; want %q shared=%v", tc.path, e, ok, tc.mp, tc.shared)
		}
	}
	private := mountinfoSample[:len(mountinfoSample)-len("41 31 0:28 / /run/netns rw shared:7 - tmpfs tmpfs rw\n")]
	if e, _ := mountContaining(procfs.ParseMountinfo([]byte(private)), "/run/netns/a"); e.Shared() {
		t.Errorf("private /run/netns: got shared")
	}
}

func FuzzMountContaining(f *testing.F) {
	f.Add(mountinfoSample, "/run/netns/a")
	f.Fuzz(func(t *testing.T, info, path string) {
		e, ok := mountContaining(procfs.ParseMountinfo([]byte(info)), path)
		if ok && !pathWithin(path, e.MountPoint) {
			t.Fatalf("%q is not within %q", path, e.MountPoint)
		}
	})
}

// MayMount agrees with the CapEff line of /proc/self/status (CAP_SYS_ADMIN is bit 21).
func TestMayMount(t *testing.T) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var capEff uint64
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			if capEff, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := capEff&(1<<unix.CAP_SYS_ADMIN) != 0; MayMount() != want {
		t.Errorf("MayMount() = %v, want %v (CapEff %#x)", MayMount(), want, capEff)
	}
}
