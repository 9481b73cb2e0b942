//go:build linux

package lsns

import (
	"strings"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/tools/lsns/scols"
)

// colID names one output column.
type colID int

const (
	colNS colID = iota
	colType
	colPath
	colNProcs
	colPID
	colPPID
	colCommand
	colUID
	colUser
	colNetNSID
	colNSFS
	colPNS
	colONS
	colContainer
)

// colInfo is one column of util-linux's table (plus CONTAINER): its header, alignment and flags
// (Number: written as a JSON number, compared as one in -Q filters), and its -H description.
type colInfo struct {
	scols.Column
	Help string
}

// columns is indexed by colID, in util-linux's order (which --output-all and -H follow).
var columns = []colInfo{
	colNS:        {Column: scols.Column{Name: "NS", Hint: 10, Right: true, Number: true}, Help: "namespace identifier (inode number)"},
	colType:      {Column: scols.Column{Name: "TYPE", Hint: 5}, Help: "kind of namespace"},
	colPath:      {Column: scols.Column{Name: "PATH"}, Help: "path to the namespace"},
	colNProcs:    {Column: scols.Column{Name: "NPROCS", Hint: 5, Right: true, Number: true}, Help: "number of processes in the namespace"},
	colPID:       {Column: scols.Column{Name: "PID", Hint: 5, Right: true, Number: true}, Help: "lowest PID in the namespace"},
	colPPID:      {Column: scols.Column{Name: "PPID", Hint: 5, Right: true, Number: true}, Help: "PPID of the PID"},
	colCommand:   {Column: scols.Column{Name: "COMMAND", Trunc: true}, Help: "command line of the PID"},
	colUID:       {Column: scols.Column{Name: "UID", Right: true, Number: true}, Help: "UID of the PID"},
	colUser:      {Column: scols.Column{Name: "USER"}, Help: "username of the PID"},
	colNetNSID:   {Column: scols.Column{Name: "NETNSID", Right: true}, Help: "namespace ID as used by network subsystem"},
	colNSFS:      {Column: scols.Column{Name: "NSFS", Wrap: true}, Help: "nsfs mountpoint (usually used network subsystem)"},
	colPNS:       {Column: scols.Column{Name: "PNS", Hint: 10, Right: true, Number: true}, Help: "parent namespace identifier (inode number)"},
	colONS:       {Column: scols.Column{Name: "ONS", Hint: 10, Right: true, Number: true}, Help: "owner namespace identifier (inode number)"},
	colContainer: {Column: scols.Column{Name: "CONTAINER"}, Help: "container of the lowest PID (runtime:id, from its cgroup)"},
}

// utilLinuxColumns is how many of columns util-linux has; --output-all lists only those, so that
// its output stays byte-identical.
const utilLinuxColumns = int(colONS) + 1

// maxColumns is util-linux's limit on columns, -o entries and those a filter adds (twice the
// number of its columns).
const maxColumns = 2 * utilLinuxColumns

// ColumnNames lists the columns -o accepts, for shell completion.
func ColumnNames() []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.Name
	}
	return names
}

// columnByName finds a column case-insensitively, as util-linux does.
func columnByName(name string) (colID, bool) {
	for i, c := range columns {
		if strings.EqualFold(c.Name, name) {
			return colID(i), true
		}
	}
	return 0, false
}

// parseColumnList applies an -o argument to cols as util-linux's string_add_to_idarray does:
// "A,B" replaces them, "+A,B" appends. Like util-linux, an unknown name is reported with the
// rest of the list after it, and an empty list, an empty name or too many columns fail silently.
func parseColumnList(arg string, cols []colID) ([]colID, error) {
	silent := &failure{code: cli.ExitFailure}
	list := arg
	if strings.HasPrefix(arg, "+") {
		list = arg[1:]
	} else {
		cols = nil
	}
	if list == "" {
		return nil, silent
	}
	begin := -1
	for p := 0; p < len(list); p++ {
		if len(cols) >= maxColumns {
			return nil, silent
		}
		if begin < 0 {
			begin = p
		}
		end := -1
		if list[p] == ',' {
			end = p
		}
		if p+1 == len(list) {
			end = p + 1
		}
		if end < 0 {
			continue
		}
		if end <= begin {
			return nil, silent
		}
		id, ok := columnByName(list[begin:end])
		if !ok {
			return nil, &failure{msg: "unknown column: " + list[begin:], code: cli.ExitFailure}
		}
		cols = append(cols, id)
		begin = -1
	}
	return cols, nil
}
