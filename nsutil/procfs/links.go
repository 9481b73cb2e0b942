//go:build linux

package procfs

// ParseNSLink parses a namespace link target ("net:[4026531840]", as /proc/PID/ns/* and
// /proc/PID/fd/* links and mountinfo's nsfs roots spell it; "socket:[123]" has the same shape)
// into its name and inode, without allocating: name is a part of s.
func ParseNSLink[T string | []byte](s T) (name T, ino uint64, ok bool) {
	colon := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			colon = i
			break
		}
	}
	if colon <= 0 || len(s) < colon+4 || s[colon+1] != '[' || s[len(s)-1] != ']' {
		return name, 0, false
	}
	digits := s[colon+2 : len(s)-1]
	if len(digits) == 0 || len(digits) > 20 {
		return name, 0, false
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return name, 0, false
		}
		next := ino*10 + uint64(c-'0')
		if next/10 != ino {
			return name, 0, false
		}
		ino = next
	}
	return s[:colon], ino, true
}
