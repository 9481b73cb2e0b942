//go:build linux

package nsutil

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want ProcStat
		ok   bool
	}{
		{"42 (sleep) S 1 42 42 0 -1 4194304 95 0 0 0", ProcStat{42, "sleep", 'S', 1}, true},
		{"7 () R 1 (  ) R 3 4 5", ProcStat{7, ") R 1 (  ", 'R', 3}, true},
		{"8 (a\nb) S 2 8 8", ProcStat{8, "a\nb", 'S', 2}, true},
		{"9 () 0 0 () Z 0 0", ProcStat{9, ") 0 0 (", 'Z', 0}, true},
		{"10 (((() S 5 1", ProcStat{10, "(((", 'S', 5}, true},
		{"11 (x) S -1 1", ProcStat{11, "x", 'S', -1}, true},
		{"", ProcStat{}, false},
		{"12 sleep S 1", ProcStat{}, false},
		{"x (sleep) S 1", ProcStat{}, false},
		{"13 (sleep)", ProcStat{}, false},
		{"14 (sleep) S x", ProcStat{}, false},
	}
	for _, tt := range tests {
		got, err := ParseStat([]byte(tt.line))
		if (err == nil) != tt.ok {
			t.Errorf("ParseStat(%q) error = %v, want ok=%v", tt.line, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseStat(%q) = %+v, want %+v", tt.line, got, tt.want)
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
	if _, err := ReadStat(1 << 30); !IsGone(err) {
		t.Errorf("ReadStat(missing) error = %v, want one IsGone accepts", err)
	}
}

func TestParseStatusUIDs(t *testing.T) {
	tests := []struct {
		text string
		want [4]uint32
		ok   bool
	}{
		{"Name:\tx\nUid:\t1000\t1001\t1002\t1003\nGid:\t0\t0\t0\t0\n", [4]uint32{1000, 1001, 1002, 1003}, true},
		{"Name:\tx\n", [4]uint32{}, false},
		{"Uid:\t1 2\n", [4]uint32{}, false},
		{"Uid:\t1 2 3 x\n", [4]uint32{}, false},
	}
	for _, tt := range tests {
		got, err := ParseStatusUIDs([]byte(tt.text))
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseStatusUIDs(%q) = %v, %v; want %v, ok=%v", tt.text, got, err, tt.want, tt.ok)
		}
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
		if got := FormatCmdline([]byte(tt.raw)); got != tt.want {
			t.Errorf("FormatCmdline(%q) = %q, want %q", tt.raw, got, tt.want)
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
	}
	for _, tt := range tests {
		name, ino, ok := ParseNSLink(tt.s)
		if name != tt.name || ino != tt.ino || ok != tt.ok {
			t.Errorf("ParseNSLink(%q) = %q, %d, %v; want %q, %d, %v", tt.s, name, ino, ok, tt.name, tt.ino, tt.ok)
		}
	}
}

func TestLinkInodeMatchesStat(t *testing.T) {
	for _, k := range Kinds {
		var st unix.Stat_t
		if err := unix.Stat(k.ProcPath(os.Getpid()), &st); err != nil {
			continue // a kind this kernel lacks
		}
		got, err := LinkInode(os.Getpid(), k)
		if err != nil || got != st.Ino {
			t.Errorf("LinkInode(self, %s) = %d, %v; want %d", k.Name, got, err, st.Ino)
		}
	}
}

func TestListPIDsAndFDs(t *testing.T) {
	pids, err := ListPIDs()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range pids {
		found = found || p == os.Getpid()
	}
	if !found {
		t.Errorf("ListPIDs() lacks our pid %d", os.Getpid())
	}
	f, err := os.Open("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fds, err := ProcessFDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, fd := range fds {
		if fd.Num == int(f.Fd()) {
			want = fd.Target
		}
	}
	if !strings.HasPrefix(want, "net:[") {
		t.Errorf("ProcessFDs: fd %d target = %q, want net:[...]", f.Fd(), want)
	}
}

func TestParseNSFSMounts(t *testing.T) {
	text := "22 1 0:4 / /proc rw - proc proc rw\n" +
		"600 30 0:4 net:[4026532281] /run/netns/a rw shared:5 - nsfs nsfs rw\n" +
		"601 30 0:4 net:[4026532300] /run/netns/with\\040space\\134x rw - nsfs nsfs rw\n" +
		"602 30 0:4 user:[4026532400] /tmp/u rw master:1 shared:2 - nsfs nsfs rw\n" +
		"603 30 0:4 net:[4026532281] /run/netns/a rw - tmpfs tmpfs rw\n" +
		"broken line - nsfs\n"
	got := ParseNSFSMounts([]byte(text))
	want := []NSFSMount{
		{"net", 4026532281, "/run/netns/a"},
		{"net", 4026532300, "/run/netns/with space\\x"},
		{"user", 4026532400, "/tmp/u"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseNSFSMounts = %+v, want %+v", got, want)
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{`/a\040b`, "/a b"},
		{`/a\011b\012c`, "/a\tb\nc"},
		{`/a\134`, `/a\`},
		{`/a\04`, `/a\04`},
		{`/plain`, "/plain"},
	}
	for _, tt := range tests {
		if got := UnescapeMountinfo(tt.in); got != tt.want {
			t.Errorf("UnescapeMountinfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseStat: the parser never panics, and what it accepts has the comm it was given.
func FuzzParseStat(f *testing.F) {
	f.Add("42 (sleep) S 1 42")
	f.Add("7 () R 1 (  ) R 3 4")
	f.Fuzz(func(t *testing.T, line string) {
		st, err := ParseStat([]byte(line))
		if err == nil && !strings.Contains(line, "("+st.Comm+")") {
			t.Fatalf("ParseStat(%q) comm %q is not in the line", line, st.Comm)
		}
	})
}

// FuzzParseNSFSMounts: mountinfo parsing never panics and only yields nsfs entries.
func FuzzParseNSFSMounts(f *testing.F) {
	f.Add("600 30 0:4 net:[4026532281] /run/netns/a rw shared:5 - nsfs nsfs rw\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ParseNSFSMounts([]byte(text)) {
			if m.Kind == "" || !strings.Contains(text, "nsfs") {
				t.Fatalf("ParseNSFSMounts(%q) yielded %+v", text, m)
			}
		}
	})
}

// TestListPIDsComplete: every process present before and after a listing is in it (a short
// getdents from procfs does not end the listing).
func TestListPIDsComplete(t *testing.T) {
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
		pids, err := ListPIDs()
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
				t.Fatalf("ListPIDs() lacks pid %d (listed %d pids, /proc has %d)", p, len(pids), len(after))
			}
		}
	}
}
