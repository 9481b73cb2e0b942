package lsns

import (
	"strings"
	"testing"
)

// row values the filter tests evaluate against; numeric columns as lsns's JSON types say.
var filterRow = map[string]string{
	"NS": "4026531840", "TYPE": "net", "NPROCS": "3", "PID": "42", "USER": "root",
	"NETNSID": "", "COMMAND": "sleep 60", "PNS": "0",
}

func lookupRow(name string) (string, bool) {
	id, ok := columnByName(name)
	if !ok {
		return "", false
	}
	return filterRow[columns[id].Name], columns[id].JSON == jsonNumber
}

func TestFilterMatch(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`NS == 4026531840`, true},
		{`NS eq 4026531840`, true},
		{`NS != 4026531840`, false},
		{`NPROCS > 1`, true},
		{`NPROCS >= 3 && NPROCS <= 3`, true},
		{`NPROCS < 3`, false},
		{`NPROCS lt 4 and NPROCS gt 2`, true},
		{`TYPE == "net"`, true},
		{`TYPE == 'net'`, true},
		{`TYPE != "net"`, false},
		{`TYPE =~ "^n.t$"`, true},
		{`TYPE !~ "^n"`, false},
		{`COMMAND =~ "sleep"`, true},
		{`USER != "root" and NPROCS > 1`, false},
		{`USER != "root" || NPROCS > 1`, true},
		{`!(TYPE == "net")`, false},
		{`not NETNSID`, true},
		{`NOT (TYPE == "pid")`, true},
		{`TYPE == "pid" or TYPE == "net" and NPROCS == 1`, false}, // and/or: one precedence, left to right
		{`TYPE == "pid" or (TYPE == "net" and NPROCS == 3)`, true},
		{`NETNSID == "0"`, false},
		{`NETNSID`, false},
		{`NPROCS`, true},
		{`PNS`, false},
		{`true`, true},
		{`FALSE`, false},
		{`NPROCS == 3.0`, true},
		{`PID > 4.5`, true},
		{`type == "net"`, true}, // column names are case-insensitive
	}
	for _, tt := range tests {
		f, err := parseFilter(tt.expr)
		if err != nil {
			t.Errorf("parseFilter(%q): %v", tt.expr, err)
			continue
		}
		if got := f.match(lookupRow); got != tt.want {
			t.Errorf("filter %q matched = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		expr string
		pos  int    // 1-based position of the bad token
		text string // part of the message
	}{
		{`NS ==`, 6, "unexpected end of expression"},
		{`NS == == 1`, 7, "unexpected '=='"},
		{`(NS == 1`, 9, "unexpected end of expression"},
		{`NS == 1)`, 8, "unexpected ')'"},
		{`TYPE == "net`, 9, "unterminated string"},
		{`NS = 1`, 4, "unexpected character '='"},
		{`TYPE =~ "("`, 9, "bad regular expression"},
		{`NS 1`, 4, "unexpected '1'"},
	}
	for _, tt := range tests {
		_, err := parseFilter(tt.expr)
		if err == nil {
			t.Errorf("parseFilter(%q) succeeded, want an error", tt.expr)
			continue
		}
		fe, ok := err.(*filterError)
		if !ok || fe.pos+1 != tt.pos || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("parseFilter(%q) error = %v, want position %d and %q", tt.expr, err, tt.pos, tt.text)
		}
	}
}

func TestFilterNames(t *testing.T) {
	f, err := parseFilter(`NS == 1 and (USER != "x" or NPROCS > 2) and not PNS`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(f.names, ",")
	if want := "NS,USER,NPROCS,PNS"; got != want {
		t.Errorf("filter names = %s, want %s", got, want)
	}
}

// FuzzParseFilter: any expression parses or fails with a positioned error, never panics, and a
// parsed one evaluates.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`NS == 1`, `USER != "root" and NPROCS > 1`, `!(TYPE =~ "^n")`, `((`, `'x`, `a && || b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := parseFilter(expr)
		if err != nil {
			if _, ok := err.(*filterError); !ok {
				t.Fatalf("parseFilter(%q) error %T, want *filterError", expr, err)
			}
			return
		}
		flt.match(lookupRow)
	})
}
