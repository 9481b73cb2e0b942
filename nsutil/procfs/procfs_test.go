//go:build linux

package procfs

import (
	"errors"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want Stat
		ok   bool
	}{
		{"42 (sleep) S 1 42 42 0 -1 4194304 95 0 0 0", Stat{42, "sleep", 'S', 1, 0}, true},
		{"7 () R 1 (  ) R 3 4 5", Stat{7, ") R 1 (  ", 'R', 3, 0}, true},
		{"8 (a\nb) S 2 8 8", Stat{8, "a\nb", 'S', 2, 0}, true},
		{"9 () 0 0 () Z 0 0", Stat{9, ") 0 0 (", 'Z', 0, 0}, true},
		{"10 (((() S 5 1", Stat{10, "(((", 'S', 5, 0}, true},
		{"11 (x) S -1 1", Stat{11, "x", 'S', -1, 0}, true},
		{"1234 (sleep) S 1 1234 1234 0 -1 4194560 106 0 0 0 0 0 0 0 20 0 1 0 4242 2539520 192", Stat{1234, "sleep", 'S', 1, 4242}, true},
		{"", Stat{}, false},
		{"12 sleep S 1", Stat{}, false},
		{"x (sleep) S 1", Stat{}, false},
		{"13 (sleep)", Stat{}, false},
		{"14 (sleep) S x", Stat{}, false},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.line))
		if (err == nil) != tt.ok {
			t.Errorf("parseStat(%q) error = %v, want ok=%v", tt.line, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("parseStat(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestReadStatSelf(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != os.Getpid() || st.PPID != os.Getppid() {
		t.Errorf("ReadStat(self) = %+v, want pid %d ppid %d", st, os.Getpid(), os.Getppid())
	}
	if _, err := ReadStat(1 << 30); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ReadStat(missing) error = %v, want ENOENT", err)
	}
}

// TestReadStatHostileComm: ReadStat reads the right parent whatever the command name holds.
func TestReadStatHostileComm(t *testing.T) {
	dir := t.TempDir()
	name := dir + "/a) S 1 (b"
	if err := os.Symlink("/bin/sleep", name); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	st, err := ReadStat(cmd.Process.Pid)
	if err != nil || st.PPID != os.Getpid() || st.Comm != "a) S 1 (b" {
		t.Errorf("ReadStat(%d) = %+v, %v; want comm %q, ppid %d", cmd.Process.Pid, st, err, "a) S 1 (b", os.Getpid())
	}
}

func TestFormatCmdline(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"sleep\x0060\x00", "sleep 60"},
		{"nginx: worker process", "nginx: worker proces"}, // no final NUL: util-linux drops the last byte
		{"a\x00\x00b\x00", "a  b"},
	}
	for _, tt := range tests {
		if got := formatCmdline([]byte(tt.raw)); got != tt.want {
			t.Errorf("formatCmdline(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestParseNSLink(t *testing.T) {
	tests := []struct {
		s    string
		name string
		ino  uint64
		ok   bool
	}{
		{"net:[4026531840]", "net", 4026531840, true},
		{"socket:[12]", "socket", 12, true},
		{"/dev/null", "", 0, false},
		{"net:[]", "", 0, false},
		{"net:[12", "", 0, false},
		{":[12]", "", 0, false},
		{"anon_inode:[eventfd]", "", 0, false},
		{"net:[99999999999999999999]", "", 0, false},
	}
	for _, tt := range tests {
		name, ino, ok := ParseNSLink(tt.s)
		if name != tt.name || ino != tt.ino || ok != tt.ok {
			t.Errorf("ParseNSLink(%q) = %q, %d, %v; want %q, %d, %v", tt.s, name, ino, ok, tt.name, tt.ino, tt.ok)
		}
		bname, bino, bok := ParseNSLink([]byte(tt.s))
		if string(bname) != tt.name || bino != tt.ino || bok != tt.ok {
			t.Errorf("ParseNSLink([]byte(%q)) = %q, %d, %v; want %q, %d, %v", tt.s, bname, bino, bok, tt.name, tt.ino, tt.ok)
		}
	}
}

// nsNames are the /proc/PID/ns links the tests read (procfs knows no kinds table).
var nsNames = []string{"user", "cgroup", "ipc", "uts", "net", "pid", "mnt", "time"}

func TestDirLinkInodeMatchesStat(t *testing.T) {
	d, err := OpenDir(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, viaNS := range []bool{false, true} {
		if viaNS {
			d.OpenNS()
		}
		for _, name := range nsNames {
			var st unix.Stat_t
			if err := unix.Stat("/proc/self/ns/"+name, &st); err != nil {
				continue // a kind this kernel lacks
			}
			got, err := d.LinkInode(name)
			if err != nil || got != st.Ino {
				t.Errorf("LinkInode(%s) (through ns fd: %v) = %d, %v; want %d", name, viaNS, got, err, st.Ino)
			}
		}
		d.CloseNS()
	}
	if _, err := d.LinkInode("nonesuch"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("LinkInode(nonesuch) error = %v, want ENOENT", err)
	}
}

func TestDirStatUIDAndFDs(t *testing.T) {
	pids, err := PIDs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, os.Getpid()) {
		t.Errorf("PIDs() lacks our pid %d", os.Getpid())
	}
	f, err := os.Open("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := OpenDir(0)
	if err != nil {
		t.Fatal(err)
	}
	d.Reset(os.Getpid())
	var want unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &want); err != nil {
		t.Fatal(err)
	}
	var got FDFile
	err = d.FDFiles(func(fd int, file FDFile) {
		if fd == int(f.Fd()) {
			got = file
		}
	})
	if err != nil || got.Dev != want.Dev || got.Ino != want.Ino || got.Mode != want.Mode {
		t.Errorf("FDFiles: fd %d = %+v, %v; want dev %d ino %d mode %o", f.Fd(), got, err, want.Dev, want.Ino, want.Mode)
	}
	if uid, err := d.UID(); err != nil || uid != uint32(os.Geteuid()) {
		t.Errorf("UID() = %d, %v; want %d", uid, err, os.Geteuid())
	}
	if st, err := d.Stat(); err != nil || st.PID != os.Getpid() || st.PPID != os.Getppid() {
		t.Errorf("Stat() = %+v, %v; want pid %d ppid %d", st, err, os.Getpid(), os.Getppid())
	}
	d.Reset(1 << 30)
	if err := d.FDFiles(func(int, FDFile) {}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("FDFiles(missing) error = %v, want ENOENT", err)
	}
	if _, err := d.UID(); !errors.Is(err, unix.ENOENT) {
		t.Errorf("UID(missing) error = %v, want ENOENT", err)
	}
}

func TestParseMountinfo(t *testing.T) {
	text := "22 1 0:4 / /proc rw - proc proc rw\n" +
		"600 30 0:4 net:[4026532281] /run/netns/a rw shared:5 - nsfs nsfs rw\n" +
		"601 30 0:4 net:[4026532300] /run/netns/with\\040space\\134x rw - nsfs nsfs rw\n" +
		"602 30 0:4 user:[4026532400] /tmp/u rw master:1 shared:2 - nsfs nsfs rw\n" +
		"603 30 0:4 net:[4026532281] /run/netns/a rw - tmpfs tmpfs rw\n" +
		"broken line - nsfs\n"
	all := ParseMountinfo([]byte(text))
	if len(all) != 5 {
		t.Fatalf("ParseMountinfo: %d mounts, want 5: %+v", len(all), all)
	}
	want := Mount{ID: 602, Parent: 30, Major: 0, Minor: 4, Root: "user:[4026532400]", MountPoint: "/tmp/u",
		Options: "rw", Optional: []string{"master:1", "shared:2"}, FSType: "nsfs", Source: "nsfs", SuperOptions: "rw"}
	if !reflect.DeepEqual(all[3], want) {
		t.Errorf("ParseMountinfo line 4 = %+v, want %+v", all[3], want)
	}
	var got []string
	for _, m := range ParseMountinfo([]byte(text), FSType("nsfs")) {
		got = append(got, m.Root+" "+m.MountPoint+" "+strconv.FormatBool(m.Shared()))
	}
	wantNSFS := []string{
		"net:[4026532281] /run/netns/a true",
		"net:[4026532300] /run/netns/with space\\x false",
		"user:[4026532400] /tmp/u true",
	}
	if !slices.Equal(got, wantNSFS) {
		t.Errorf("ParseMountinfo(FSType(nsfs)) = %q, want %q", got, wantNSFS)
	}
	self, err := ReadMountinfo(0, func(m *Mount) bool { return m.MountPoint == "/" })
	if err != nil || len(self) == 0 {
		t.Errorf("ReadMountinfo(self, /) = %+v, %v; want the root mount", self, err)
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`/a\040b`, "/a b"},
		{`/a\011b\012c`, "/a\tb\nc"},
		{`/a\134`, `/a\`},
		{`/a\04`, `/a\04`},
		{`/a\089`, `/a\089`},
		{`/plain`, "/plain"},
	}
	for _, tt := range tests {
		if got := unescape(tt.in); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCgroupEnvironOwner(t *testing.T) {
	// /proc/PID/environ holds the environment the process started with.
	env, err := Environ(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if len(env) != len(os.Environ()) || len(env) > 0 && !strings.Contains(env[0], "=") {
		t.Errorf("Environ(self) = %q, want NAME=value entries", env)
	}
	uid, gid, err := Owner(os.Getpid())
	if err != nil || uid != os.Geteuid() || gid != os.Getegid() {
		t.Errorf("Owner(self) = %d, %d, %v; want %d, %d", uid, gid, err, os.Geteuid(), os.Getegid())
	}
	if path, err := Cgroup2Path(os.Getpid()); err != nil || !strings.HasPrefix(path, "/") {
		t.Errorf("Cgroup2Path(self) = %q, %v; want a path", path, err)
	}
	for _, read := range []func(int) error{
		func(pid int) error { _, err := Environ(pid); return err },
		func(pid int) error { _, _, err := Owner(pid); return err },
		func(pid int) error { _, err := Cgroup2Path(pid); return err },
		func(pid int) error { _, err := ReadCgroup(pid); return err },
	} {
		err := read(999999999)
		var pe *os.PathError
		if !errors.As(err, &pe) || !errors.Is(err, unix.ESRCH) || !strings.Contains(pe.Path, "/proc/999999999") {
			t.Errorf("reading a missing process: %v, want an ESRCH *os.PathError naming /proc/999999999", err)
		}
	}
}

func TestStatus(t *testing.T) {
	got := parseStatus("Name:\tsleep\nSigIgn:\t0000000000000006\nUid:\t0\t0\t0\t0\n")
	want := map[string]string{"Name": "sleep", "SigIgn": "0000000000000006", "Uid": "0\t0\t0\t0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseStatus = %q, want %q", got, want)
	}
	self, err := ReadStatus(0)
	if err != nil || self["Pid"] != strconv.Itoa(os.Getpid()) {
		t.Errorf("ReadStatus(self) Pid = %q, %v; want %d", self["Pid"], err, os.Getpid())
	}
	if _, err := ReadStatus(1 << 30); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ReadStatus(missing) error = %v, want ENOENT", err)
	}
}

func TestParseCgroup(t *testing.T) {
	got := parseCgroup("12:pids:/docker/abc\n0::/system.slice/x.scope\nbroken\n")
	want := []Cgroup{{"12", "pids", "/docker/abc"}, {"0", "", "/system.slice/x.scope"}}
	if !reflect.DeepEqual(got, want) || got[0].V2() || !got[1].V2() {
		t.Errorf("parseCgroup = %+v, want %+v (the second v2)", got, want)
	}
}

// FuzzParseStat: the parser never panics, and what it accepts has the comm it was given.
func FuzzParseStat(f *testing.F) {
	f.Add("42 (sleep) S 1 42")
	f.Add("7 () R 1 (  ) R 3 4")
	f.Fuzz(func(t *testing.T, line string) {
		st, err := parseStat([]byte(line))
		if err == nil && !strings.Contains(line, "("+st.Comm+")") {
			t.Fatalf("parseStat(%q) comm %q is not in the line", line, st.Comm)
		}
	})
}

// FuzzParseMountinfo: mountinfo parsing never panics, and a filter only keeps what it accepts.
func FuzzParseMountinfo(f *testing.F) {
	f.Add("600 30 0:4 net:[4026532281] /run/netns/a rw shared:5 - nsfs nsfs rw\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ParseMountinfo([]byte(text), FSType("nsfs")) {
			if m.FSType != "nsfs" || !strings.Contains(text, "nsfs") {
				t.Fatalf("ParseMountinfo(%q) yielded %+v", text, m)
			}
		}
	})
}

// TestPIDsComplete: every process present before and after a listing is in it (a short
// getdents from procfs does not end the listing).
func TestPIDsComplete(t *testing.T) {
	numeric := func() map[int]bool {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			t.Fatal(err)
		}
		set := map[int]bool{}
		for _, e := range entries {
			if v, ok := atoiBytes([]byte(e.Name())); ok {
				set[v] = true
			}
		}
		return set
	}
	for i := 0; i < 10; i++ {
		before := numeric()
		pids, err := PIDs()
		if err != nil {
			t.Fatal(err)
		}
		after := numeric()
		got := map[int]bool{}
		for _, p := range pids {
			got[p] = true
		}
		for p := range before {
			if after[p] && !got[p] {
				t.Fatalf("PIDs() lacks pid %d (listed %d pids, /proc has %d)", p, len(pids), len(after))
			}
		}
	}
}
