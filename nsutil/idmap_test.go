//go:build linux

package nsutil

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseIDMapSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    IDMapSpec
		wantErr bool
	}{
		{in: "0:100000:65536", want: IDMapSpec{Source: MapRange, Range: IDRange{Inner: 0, Outer: 100000, Count: 65536}}},
		{in: "100000,0,65536", want: IDMapSpec{Source: MapRange, Range: IDRange{Inner: 0, Outer: 100000, Count: 65536}}},
		{in: "1:2:3", want: IDMapSpec{Source: MapRange, Range: IDRange{Inner: 1, Outer: 2, Count: 3}}},
		{in: "auto", want: IDMapSpec{Source: MapAuto}},
		{in: "subids", want: IDMapSpec{Source: MapSubIDs}},
		{in: "all", want: IDMapSpec{Source: MapAll}},
		{in: "abc", wantErr: true}, {in: "", wantErr: true}, {in: "1:2", wantErr: true}, {in: "1:2:3:4", wantErr: true},
		{in: "1:2:0", wantErr: true}, {in: "-1:2:3", wantErr: true}, {in: "+1:2:3", wantErr: true}, {in: "1,2:3", wantErr: true},
		{in: " 1:2:3", wantErr: true}, {in: "4294967295:0:1", wantErr: true}, {in: "4294967294:0:2", wantErr: true},
		{in: "0:4294967000:1000", wantErr: true}, {in: "AUTO", wantErr: true}, {in: "1:2:3x", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseIDMapSpec(tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseIDMapSpec(%q) = %+v, want an error", tc.in, got)
			} else if want := "invalid mapping '" + tc.in + "'"; err.Error() != want {
				t.Errorf("ParseIDMapSpec(%q) error = %q, want %q", tc.in, err, want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseIDMapSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

const subidFile = `# comment
bob:200000:1000
alice
1001:300000:65536
alice:100000:65536
alice:500000:10
broken:x:1
`

func TestFindSubIDRange(t *testing.T) {
	tests := []struct {
		name     string
		uid      uint32
		identity bool
		want     IDRange
		wantErr  string
	}{
		{name: "alice", uid: 1000, want: IDRange{Inner: autoInner, Outer: 100000, Count: 65536}},
		{name: "alice", uid: 1000, identity: true, want: IDRange{Inner: 100000, Outer: 100000, Count: 65536}},
		{name: "carol", uid: 1001, want: IDRange{Inner: autoInner, Outer: 300000, Count: 65536}},
		{name: "bob", uid: 5, want: IDRange{Inner: autoInner, Outer: 200000, Count: 1000}},
		{name: "root", uid: 0, wantErr: `no subordinate IDs: no line matching user "root"`},
		{name: "broken", uid: 7, wantErr: "failed to parse subid map: 'broken:x:1'"},
	}
	for _, tc := range tests {
		got, err := FindSubIDRange(subidFile, tc.name, tc.uid, tc.identity)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("FindSubIDRange(%s, %d) error = %v, want %q", tc.name, tc.uid, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("FindSubIDRange(%s, %d, %v) = %+v, %v; want %+v", tc.name, tc.uid, tc.identity, got, err, tc.want)
		}
	}
}

func TestParseKernelIDMap(t *testing.T) {
	got := ParseKernelIDMap("         0          0 4294967295\n  junk\n 5 10 0\n")
	want := []IDRange{{Inner: 0, Outer: 0, Count: 4294967295}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestPlaceSingleID(t *testing.T) {
	tests := []struct {
		name         string
		ranges       []IDRange
		outer, inner uint32
		single       bool
		want         string
	}{
		{name: "ranges alone, in order", ranges: []IDRange{{1, 2, 3}, {10, 20, 30}},
			want: "1 2 3|10 20 30"},
		{name: "auto alone maps from 0", ranges: []IDRange{{autoInner, 100000, 65536}},
			want: "0 100000 65536"},
		{name: "root with auto (-r --map-auto)", ranges: []IDRange{{autoInner, 100000, 65536}}, outer: 1000, inner: 0, single: true,
			want: "0 1000 1|1 100000 65536"},
		{name: "current user inside the range (-c --map-users=0:100000:65536)", ranges: []IDRange{{0, 100000, 65536}}, outer: 1000, inner: 1000, single: true,
			want: "1000 1000 1|0 100000 1000|1001 101000 64535"},
		{name: "single outer inside the range", ranges: []IDRange{{0, 0, 100}}, outer: 10, inner: 50, single: true,
			want: "50 10 1|0 0 10|10 11 40|51 51 49"},
		{name: "no overlap", ranges: []IDRange{{0, 100000, 10}}, outer: 1000, inner: 5000, single: true,
			want: "5000 1000 1|0 100000 10"},
	}
	for _, tc := range tests {
		got := PlaceSingleID(tc.ranges, tc.outer, tc.inner, tc.single)
		var s []string
		for _, r := range got {
			s = append(s, r.String())
		}
		if strings.Join(s, "|") != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, strings.Join(s, "|"), tc.want)
		}
	}
}

// No two lines of a placed map overlap, inside or outside, and every line has IDs.
func checkNoOverlap(t *testing.T, m []IDRange) {
	t.Helper()
	for i, a := range m {
		if a.Count == 0 {
			t.Fatalf("empty line %d in %+v", i, m)
		}
		for _, b := range m[i+1:] {
			if overlaps(a.Inner, a.Count, b.Inner, b.Count) || overlaps(a.Outer, a.Count, b.Outer, b.Count) {
				t.Fatalf("%+v and %+v overlap in %+v", a, b, m)
			}
		}
	}
}

func overlaps(s1, c1, s2, c2 uint32) bool {
	return uint64(s1) < uint64(s2)+uint64(c2) && uint64(s2) < uint64(s1)+uint64(c1)
}

func TestFormatIDMap(t *testing.T) {
	got, err := FormatIDMap([]IDRange{{0, 1000, 1}, {1, 100000, 65536}})
	if err != nil || got != "0 1000 1\n1 100000 65536\n" {
		t.Errorf("got %q, %v", got, err)
	}
	if args := IDMapArgs([]IDRange{{0, 1000, 1}}); strings.Join(args, " ") != "0 1000 1" {
		t.Errorf("IDMapArgs = %q", args)
	}
	big := make([]IDRange, 1000)
	if _, err := FormatIDMap(big); err == nil {
		t.Error("a map over 4k: got no error")
	}
}

func FuzzParseIDMapSpec(f *testing.F) {
	for _, s := range []string{"0:100000:65536", "1,2,3", "auto", "all", "4294967294:0:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseIDMapSpec(s)
		if err != nil || spec.Source != MapRange {
			return
		}
		r := spec.Range
		if r.Count == 0 || uint64(r.Inner)+uint64(r.Count) > 1<<32-1 || uint64(r.Outer)+uint64(r.Count) > 1<<32-1 {
			t.Fatalf("ParseIDMapSpec(%q) = %+v: out of range", s, r)
		}
	})
}

func FuzzFindSubIDRange(f *testing.F) {
	f.Add(subidFile, "alice", uint32(1000))
	f.Fuzz(func(t *testing.T, data, name string, uid uint32) {
		r, err := FindSubIDRange(data, name, uid, true)
		if err == nil && (r.Count == 0 || r.Inner != r.Outer) {
			t.Fatalf("got %+v", r)
		}
	})
}

// Placing a single ID among non-overlapping ranges that avoid autoInner never makes lines
// that overlap.
func FuzzPlaceSingleID(f *testing.F) {
	f.Add(uint32(0), uint32(100000), uint32(65536), uint32(1000), uint32(1000))
	f.Fuzz(func(t *testing.T, inner, outer, count, single, singleInner uint32) {
		if count == 0 || uint64(inner)+uint64(count) >= 1<<32-1 || uint64(outer)+uint64(count) >= 1<<32-1 || single == autoInner || singleInner == autoInner {
			return
		}
		checkNoOverlap(t, PlaceSingleID([]IDRange{{inner, outer, count}}, single, singleInner, true))
	})
}
