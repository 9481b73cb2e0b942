//go:build linux

package procfs

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Mount is one line of a mountinfo table:
//
//	ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
//
// with the kernel's octal escapes (`\040` for a space) undone in the paths.
type Mount struct {
	ID, Parent   int
	Major, Minor uint32
	Root         string // for nsfs, the namespace: "net:[4026532001]"
	MountPoint   string
	Options      string
	Optional     []string // "shared:5", "master:1", ...
	FSType       string
	Source       string
	SuperOptions string
}

// Shared reports whether the mount has propagation peers (a "shared:N" optional field).
func (m *Mount) Shared() bool {
	for _, o := range m.Optional {
		if strings.HasPrefix(o, "shared:") {
			return true
		}
	}
	return false
}

// A Filter keeps the mounts it returns true for.
type Filter func(*Mount) bool

// FSType keeps the mounts of one filesystem type ("nsfs").
func FSType(name string) Filter {
	return func(m *Mount) bool { return m.FSType == name }
}

// ReadMountinfo reads /proc/PID/mountinfo (pid 0: /proc/self) and returns the mounts every
// filter keeps, in table order.
func ReadMountinfo(pid int, keep ...Filter) ([]Mount, error) {
	data, err := os.ReadFile(path(pid, "mountinfo"))
	if err != nil {
		return nil, err
	}
	return ParseMountinfo(data, keep...), nil
}

// ParseMountinfo parses mountinfo text and returns the mounts every filter keeps, in table
// order. Malformed lines are skipped.
func ParseMountinfo(data []byte, keep ...Filter) []Mount {
	var out []Mount
	for line := range bytes.Lines(data) {
		m, ok := parseMountLine(strings.TrimSuffix(string(line), "\n"))
		if !ok {
			continue
		}
		kept := true
		for _, f := range keep {
			kept = kept && f(&m)
		}
		if kept {
			out = append(out, m)
		}
	}
	return out
}

func parseMountLine(line string) (Mount, bool) {
	f := strings.Fields(line)
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	if sep < 0 || sep+1 >= len(f) {
		return Mount{}, false
	}
	id, err1 := strconv.Atoi(f[0])
	parent, err2 := strconv.Atoi(f[1])
	maj, min, _ := strings.Cut(f[2], ":")
	major, err3 := strconv.ParseUint(maj, 10, 32)
	minor, err4 := strconv.ParseUint(min, 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return Mount{}, false
	}
	m := Mount{
		ID: id, Parent: parent, Major: uint32(major), Minor: uint32(minor),
		Root: unescape(f[3]), MountPoint: unescape(f[4]), Options: f[5],
		FSType: f[sep+1],
	}
	if sep > 6 {
		m.Optional = f[6:sep]
	}
	if sep+2 < len(f) {
		m.Source = unescape(f[sep+2])
	}
	if sep+3 < len(f) {
		m.SuperOptions = f[sep+3]
	}
	return m, true
}

// unescape undoes the kernel's octal escapes in mountinfo fields (`\040` for a space, `\011`
// tab, `\012` newline, `\134` backslash).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
