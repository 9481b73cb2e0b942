package scols

import (
	"strings"
	"testing"
)

// row values the filter tests evaluate against; numeric columns as lsns's JSON types say.
var filterRow = map[string]string{
	"NS": "4026531840", "TYPE": "net", "NPROCS": "3", "PID": "42", "USER": "root",
	"NETNSID": "", "COMMAND": "sleep 60", "PNS": "0",
}

// numericColumns are the columns lsns writes as JSON numbers.
var numericColumns = map[string]bool{"NS": true, "NPROCS": true, "PID": true, "PNS": true}

// lookupRow finds a column case-insensitively, as lsns does.
func lookupRow(name string) (string, bool) {
	for col, v := range filterRow {
		if strings.EqualFold(col, name) {
			return v, numericColumns[col]
		}
	}
	return "", false
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
		{`"abc"`, true},         // a non-empty string is true
		{`""`, false},
		{`not TYPE == "net"`, true}, // (not TYPE) == "net": false == false, as booleans
		{`NPROCS =~ "^3$"`, true},   // numbers match as text
		{`NETNSID != "x"`, true},    // an empty cell sorts before every string
		{`NETNSID < ""`, true},
		{`NS == 4026531840.0`, true},
		{`PID == 1K`, false},
		{`NPROCS < 1K`, true},
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.expr)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tt.expr, err)
			continue
		}
		if got, err := f.Match(lookupRow); got != tt.want || err != nil {
			t.Errorf("filter %q matched = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

// TestFilterErrors: syntax errors read as libsmartcols' bison parser words them.
func TestFilterErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`NS ==`, "syntax error, unexpected end of file"},
		{`NS == == 1`, "syntax error, unexpected EQ"},
		{`(NS == 1`, "syntax error, unexpected end of file"},
		{`NS == 1)`, "syntax error, unexpected ')', expecting end of file"},
		{`NS 1`, "syntax error, unexpected NUMBER, expecting end of file"},
		{`NS == 1 NPROCS`, "syntax error, unexpected HOLDER, expecting end of file"},
		{`(NS == 1 "x")`, "syntax error, unexpected STRING"},
		{`and NS`, "syntax error, unexpected AND"},
		{`NS == 'x`, "syntax error, unexpected invalid token"},
		{`NS == 99999999999999999999K`, `"99999999999999999999K" token error: Numerical result out of range`},
		{`TYPE =~ NS`, "(null)"},
		{`TYPE =~ "("`, `Unmatched ( or \(`},
		{`TYPE =~ "[[:foo:]]"`, "Invalid character class name"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.expr)
		want := `failed to parse "` + tt.expr + `": ` + tt.want
		if err == nil || err.Error() != want {
			t.Errorf("ParseFilter(%q) error = %v, want %s", tt.expr, err, want)
		}
	}
}

// TestFilterEcho: characters libsmartcols' scanner has no rule for are skipped and echoed on
// stdout, as flex's default rule does; the rest still parses.
func TestFilterEcho(t *testing.T) {
	tests := []struct{ expr, echo string }{
		{`NS == -1`, "-"},
		{`NS = 1`, "="},
		{`TYPE == "net`, `"`},
		{`NS == 1 & NPROCS`, "&"},
		{`NS == 1`, ""},
		// A match against a one-token operand that is not a string fails before the scanner
		// reads on; one against a string reads the next token, as a comparison does.
		{`TYPE=~n*`, ""},
		{`TYPE!~n.*`, ""},
		{`TYPE==n*`, "*"},
		{`TYPE=~"n"*`, "*"},
	}
	for _, tt := range tests {
		f, _ := ParseFilter(tt.expr)
		if got := string(f.Echo); got != tt.echo {
			t.Errorf("ParseFilter(%q) echoed %q, want %q", tt.expr, got, tt.echo)
		}
	}
}

// TestFilterApplyError: a comparison whose sides do not convert fails, as in libsmartcols.
func TestFilterApplyError(t *testing.T) {
	for _, expr := range []string{`TYPE > 3`, `USER == 1.5`, `5 =~ "x"`} {
		f, err := ParseFilter(expr)
		if err != nil {
			t.Fatalf("ParseFilter(%q): %v", expr, err)
		}
		if _, err := f.Match(lookupRow); err != errFilterApply {
			t.Errorf("filter %q: error %v, want %v", expr, err, errFilterApply)
		}
	}
}

func TestFilterNames(t *testing.T) {
	f, err := ParseFilter(`NS == 1 and (USER != "x" or NPROCS > 2) and not PNS`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(f.Names, ",")
	if want := "NS,USER,NPROCS,PNS"; got != want {
		t.Errorf("filter names = %s, want %s", got, want)
	}
}

// FuzzParseFilter: any expression parses or fails with a parse error, never panics, and a
// parsed one evaluates.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`NS == 1`, `USER != "root" and NPROCS > 1`, `!(TYPE =~ "^n")`, `((`, `'x`, `a && || b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := ParseFilter(expr)
		if err != nil {
			if _, ok := err.(*filterError); !ok {
				t.Fatalf("ParseFilter(%q) error %T, want *filterError", expr, err)
			}
			return
		}
		_, _ = flt.Match(lookupRow)
	})
}
