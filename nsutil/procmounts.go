//go:build linux

package nsutil

import (
	"bytes"
	"os"
	"strings"
)

// NSFSMount is one nsfs entry of a mountinfo table: a namespace bind-mounted on a path
// (`ip netns add`, `unshare --net=FILE`).
type NSFSMount struct {
	Kind   string // the kind name from the root field, "net"
	Inode  uint64 // the namespace inode from the root field
	Target string // the mount point, unescaped
}

// ReadNSFSMounts returns the nsfs entries of /proc/self/mountinfo, in table order.
func ReadNSFSMounts() ([]NSFSMount, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return ParseNSFSMounts(data), nil
}

// ParseNSFSMounts picks the nsfs entries out of mountinfo text. Lines are
// `ID PARENT MAJ:MIN ROOT TARGET OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`; the root of an
// nsfs entry is "net:[4026532001]". Malformed lines are skipped.
func ParseNSFSMounts(data []byte) []NSFSMount {
	var out []NSFSMount
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !bytes.Contains(line, []byte(" - nsfs ")) {
			continue
		}
		fields := strings.Fields(string(line))
		sep := -1
		for i := 6; i < len(fields); i++ {
			if fields[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) || fields[sep+1] != "nsfs" || len(fields) < 5 {
			continue
		}
		name, ino, ok := ParseNSLink(UnescapeMountinfo(fields[3]))
		if !ok {
			continue
		}
		out = append(out, NSFSMount{Kind: name, Inode: ino, Target: UnescapeMountinfo(fields[4])})
	}
	return out
}

// UnescapeMountinfo undoes the kernel's octal escapes in mountinfo fields (`\040` for a space,
// `\011` tab, `\012` newline, `\134` backslash).
func UnescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s)+0 && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
