//go:build linux

package nsutil

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// IDRange is one line of a uid_map or gid_map: Count IDs from Inner (inside the user namespace)
// map to Count IDs from Outer (in the parent namespace).
type IDRange struct {
	Inner, Outer, Count uint32
}

// autoInner marks an IDRange read for util-linux's `auto`: it maps to inner IDs from 0, after
// any single ID placed with PlaceSingleID.
const autoInner = math.MaxUint32

// String is the range as the kernel's map files show it: "inner outer count".
func (r IDRange) String() string { return fmt.Sprintf("%d %d %d", r.Inner, r.Outer, r.Count) }

// IDMapSource says where the ranges of an --map-users/--map-groups value come from.
type IDMapSource int

const (
	MapRange  IDMapSource = iota // an explicit inner:outer:count
	MapAuto                      // the caller's first subordinate range, mapped from 0
	MapSubIDs                    // the caller's first subordinate range, mapped to itself
	MapAll                       // every ID of the parent namespace, mapped to itself
)

// IDMapSpec is a parsed --map-users / --map-groups value.
type IDMapSpec struct {
	Source IDMapSource
	Range  IDRange // for MapRange
}

// ParseIDMapSpec parses util-linux's --map-users/--map-groups values: "inner:outer:count",
// the deprecated "outer,inner,count", "auto", "subids" or "all". Counts must be at least 1 and
// neither range may run past the last ID. The error reads "invalid mapping 'S'".
func ParseIDMapSpec(s string) (IDMapSpec, error) {
	switch s {
	case "auto":
		return IDMapSpec{Source: MapAuto}, nil
	case "subids":
		return IDMapSpec{Source: MapSubIDs}, nil
	case "all":
		return IDMapSpec{Source: MapAll}, nil
	}
	bad := fmt.Errorf("invalid mapping '%s'", s)
	sep := ":"
	if !strings.Contains(s, sep) {
		sep = ","
	}
	f := strings.Split(s, sep)
	if len(f) != 3 {
		return IDMapSpec{}, bad
	}
	var n [3]uint32
	for i, field := range f {
		v, err := parseID(field)
		if err != nil {
			return IDMapSpec{}, bad
		}
		n[i] = v
	}
	r := IDRange{Inner: n[0], Outer: n[1], Count: n[2]}
	if sep == "," {
		r = IDRange{Outer: n[0], Inner: n[1], Count: n[2]}
	}
	if r.Count == 0 || uint64(r.Inner)+uint64(r.Count) > math.MaxUint32 || uint64(r.Outer)+uint64(r.Count) > math.MaxUint32 {
		return IDMapSpec{}, bad
	}
	return IDMapSpec{Source: MapRange, Range: r}, nil
}

// parseID parses a decimal user or group ID (digits only, below 2^32-1, which means "none").
func parseID(s string) (uint32, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == math.MaxUint32 {
		return 0, strconv.ErrRange
	}
	return uint32(v), nil
}

// ParseID parses a decimal user or group ID as util-linux's -S/-G and --owner take it.
func ParseID(s string) (uint32, error) { return parseID(s) }

// ErrNoSubIDs is wrapped by FindSubIDRange when no line names the user.
var ErrNoSubIDs = errors.New("no subordinate IDs")

// FindSubIDRange finds the first line of an /etc/subuid or /etc/subgid file (data) that
// belongs to the user called name or numbered uid, as util-linux does: "owner:start:count".
// identity maps the range to itself (subids); otherwise its Inner is autoInner (auto).
func FindSubIDRange(data, name string, uid uint32, identity bool) (IDRange, error) {
	for _, line := range strings.Split(data, "\n") {
		owner, rest, ok := strings.Cut(line, ":")
		if !ok || (owner != name && owner != strconv.FormatUint(uint64(uid), 10)) {
			continue
		}
		start, count, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		s, err1 := parseID(start)
		c, err2 := parseID(count)
		if err1 != nil || err2 != nil || c == 0 || uint64(s)+uint64(c) > math.MaxUint32 {
			return IDRange{}, fmt.Errorf("failed to parse subid map: '%s'", line)
		}
		r := IDRange{Inner: autoInner, Outer: s, Count: c}
		if identity {
			r.Inner = s
		}
		return r, nil
	}
	return IDRange{}, fmt.Errorf("%w: no line matching user \"%s\"", ErrNoSubIDs, name)
}

// ParseKernelIDMap reads a /proc/PID/uid_map or gid_map (data) as util-linux's `all` does: each
// line's first ID range of the parent namespace, mapped to itself.
func ParseKernelIDMap(data string) []IDRange {
	var out []IDRange
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		start, err1 := strconv.ParseUint(f[0], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 {
			continue
		}
		out = append(out, IDRange{Inner: uint32(start), Outer: uint32(start), Count: uint32(count)})
	}
	return out
}

// PlaceSingleID builds the final map from ranges (in the order given) and, when hasSingle, the
// single ID outer mapped to inner (--map-user and friends), as util-linux does: the single
// mapping comes first, and every range that overlaps it (inside or outside, end included) gives
// up its top ID and is split around it, so no two lines overlap. autoInner ranges start at 0
// and are not shortened.
func PlaceSingleID(ranges []IDRange, outer, inner uint32, hasSingle bool) []IDRange {
	var out []IDRange
	if hasSingle {
		out = append(out, IDRange{Inner: inner, Outer: outer, Count: 1})
	} else {
		inner, outer = math.MaxUint32, math.MaxUint32
	}
	for _, m := range ranges {
		if m.Inner == autoInner {
			m.Inner = 0
		} else if hasSingle && (between(outer, m.Outer, m.Count) || between(inner, m.Inner, m.Count)) {
			m.Count--
		}
		outerOff := min(diffOrZero(outer, m.Outer), m.Count)
		innerOff := min(diffOrZero(inner, m.Inner), m.Count)
		lo := IDRange{Outer: m.Outer, Inner: m.Inner, Count: min(innerOff, outerOff)}
		mid := IDRange{Outer: skip(lo.Outer+lo.Count, outer), Inner: skip(lo.Inner+lo.Count, inner),
			Count: max(innerOff, outerOff) - min(innerOff, outerOff)}
		hi := IDRange{Outer: skip(mid.Outer+mid.Count, outer), Inner: skip(mid.Inner+mid.Count, inner),
			Count: m.Count - lo.Count - mid.Count}
		for _, r := range []IDRange{lo, mid, hi} {
			if r.Count != 0 {
				out = append(out, r)
			}
		}
	}
	return out
}

// between reports whether id lies in [start, start+count] (util-linux counts the end too).
func between(id, start, count uint32) bool { return id >= start && id <= start+count }

func diffOrZero(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return 0
}

// skip steps over the single ID: id+1 when id is it.
func skip(id, single uint32) uint32 {
	if id == single {
		return id + 1
	}
	return id
}

// FormatIDMap is the text written to a uid_map or gid_map: one "inner outer count" per line.
// The kernel takes at most one page.
func FormatIDMap(ranges []IDRange) (string, error) {
	var b strings.Builder
	for _, r := range ranges {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	if b.Len() > 4096 {
		return "", errors.New("too large for kernel 4k limit")
	}
	return b.String(), nil
}

// IDMapArgs is ranges as newuidmap and newgidmap take them: inner, outer, count, ...
func IDMapArgs(ranges []IDRange) []string {
	var args []string
	for _, r := range ranges {
		args = append(args, strconv.FormatUint(uint64(r.Inner), 10), strconv.FormatUint(uint64(r.Outer), 10), strconv.FormatUint(uint64(r.Count), 10))
	}
	return args
}
