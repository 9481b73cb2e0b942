//go:build linux

package nsutil

import (
	"math"
	"strings"

	"golang.org/x/sys/unix"
)

// ParseUint64C reads a decimal number the way util-linux's ul_strtou64 does (strtoimax, then
// strtoumax): leading white space and a '+' are allowed, "-0" is 0. A negative number or one
// beyond 64 bits is unix.ERANGE (even with junk after it); no digits or junk after them is
// unix.EINVAL.
func ParseUint64C(s string) (uint64, error) {
	rest := strings.TrimLeft(s, " \t\n\v\f\r")
	negative := strings.HasPrefix(rest, "-")
	if negative || strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits == 0 {
		return 0, unix.EINVAL
	}
	var n uint64
	overflow := false
	for _, c := range rest[:digits] {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			overflow = true
		}
		n = n*10 + d
	}
	switch {
	case overflow || negative && n != 0:
		return 0, unix.ERANGE
	case digits != len(rest):
		return 0, unix.EINVAL
	}
	return n, nil
}

// ParseInt32C reads a decimal int32 the way util-linux's strtos32_or_err does (strtoimax, then
// a range check): leading white space and a sign are allowed; out of range is unix.ERANGE, no
// digits or junk after them unix.EINVAL.
func ParseInt32C(s string) (int32, error) {
	rest := strings.TrimLeft(s, " \t\n\v\f\r")
	negative := strings.HasPrefix(rest, "-")
	if negative || strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	n, err := ParseUint64C(rest)
	if err == unix.EINVAL || strings.HasPrefix(rest, "+") || strings.HasPrefix(rest, "-") ||
		strings.TrimLeft(rest, " \t\n\v\f\r") != rest {
		return 0, unix.EINVAL
	}
	limit := uint64(math.MaxInt32)
	if negative {
		limit++
	}
	if err != nil || n > limit {
		return 0, unix.ERANGE
	}
	if negative {
		return int32(-int64(n)), nil
	}
	return int32(n), nil
}
