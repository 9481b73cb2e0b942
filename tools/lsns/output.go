//go:build linux

package lsns

import (
	"io"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/fatih/color"
	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/discover"
	"github.com/nsbox/nsbox/tools/lsns/scols"
	"golang.org/x/sys/unix"
)

// output builds the table from the discovered host, row by row, in util-linux's order and
// nesting.
type output struct {
	cfg     *config
	host    *discover.Host
	tab     *scols.Table
	ids     []colID // the column of each table column
	users   map[uint32]string
	kinds   map[string]*color.Color // TYPE colours, nil without colour
	dim     *color.Color
	colored bool
	err     error // the filter could not be applied: nothing is printed
	// The last row shown for each process (process trees hang off it) and each namespace's row
	// (owner and parent trees hang off it).
	procRows map[*discover.Process]*scols.Row
	nsRows   map[*discover.Namespace]*scols.Row
}

// newOutput sets up the table for c and the discovered host h, to be written to stdout.
func newOutput(c *config, h *discover.Host, stdout io.Writer) *output {
	o := &output{cfg: c, host: h, users: map[uint32]string{},
		procRows: map[*discover.Process]*scols.Row{}, nsRows: map[*discover.Namespace]*scols.Row{}}
	t := &scols.Table{Name: "namespaces", Format: c.format, NoHeadings: c.noHeadings, UTF8: utf8Locale()}
	o.tab = t
	for _, id := range c.cols {
		o.addColumn(id, false)
	}
	if c.filter != nil {
		for _, name := range c.filter.Names {
			id, _ := columnByName(name)
			if !o.hasColumn(id) {
				o.addColumn(id, true)
			}
		}
	}
	if c.format == scols.FormatHuman && cli.IsTerminal(stdout) {
		t.TermWidth = terminalWidth(stdout.(*os.File))
	}
	if c.format == scols.FormatHuman && cli.UseColor(stdout) {
		o.colored = true
		o.dim = cli.Paint(stdout, color.Faint)
		o.kinds = map[string]*color.Color{}
		palette := []color.Attribute{color.FgBlue, color.FgCyan, color.FgGreen, color.FgMagenta, color.FgYellow, color.FgRed, color.FgHiBlue, color.FgHiGreen}
		for i, k := range nsutil.Kinds {
			o.kinds[k.Name] = cli.Paint(stdout, palette[i%len(palette)])
		}
	}
	return o
}

func (o *output) hasColumn(id colID) bool { return slices.Contains(o.ids, id) }

// addColumn sets up one column as util-linux does for the chosen mode.
func (o *output) addColumn(id colID, hidden bool) {
	c := columns[id].Column
	c.Hidden = hidden
	if o.cfg.noTrunc {
		c.Trunc = false
	}
	if o.cfg.tree == treeProcess && id == colCommand {
		c.Tree = true
	}
	if o.cfg.noWrap {
		c.Wrap = false
	}
	if (o.cfg.tree == treeOwner || o.cfg.tree == treeParent) && id == colNS {
		c.Tree = true
		c.Right = false
	}
	o.tab.Columns = append(o.tab.Columns, c)
	o.ids = append(o.ids, id)
}

// terminalWidth is the width of the terminal tty, else $COLUMNS, else 80, as util-linux reads it.
func terminalWidth(tty *os.File) int {
	if ws, err := unix.IoctlGetWinsize(int(tty.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
		return int(ws.Col)
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// showNamespaces adds every listed namespace, ancestors first in owner and parent trees.
func (o *output) showNamespaces() {
	for _, ns := range o.host.Namespaces {
		if o.cfg.pid != 0 && !hasProcess(ns, o.cfg.pid) {
			continue
		}
		if o.cfg.persistent && len(ns.Procs) != 0 {
			continue
		}
		if o.nsRows[ns] == nil {
			o.showNamespace(ns)
		}
	}
}

func hasProcess(ns *discover.Namespace, pid int) bool {
	for _, p := range ns.Procs {
		if p.PID == pid {
			return true
		}
	}
	return false
}

func (o *output) showNamespace(ns *discover.Namespace) {
	owner, parent := ns.OwnerNS, ns.ParentNS
	switch {
	case o.cfg.tree == treeOwner && owner != nil && o.nsRows[owner] == nil:
		o.showNamespace(owner)
	case o.cfg.tree == treeParent && parent != nil:
		if o.nsRows[parent] == nil {
			o.showNamespace(parent)
		}
	case o.cfg.tree == treeParent && owner != nil && o.nsRows[owner] == nil:
		o.showNamespace(owner)
	}
	o.addRow(ns, ns.Proc)
}

// showNamespaceProcesses lists the processes of one namespace (the namespace argument).
func (o *output) showNamespaceProcesses(ns *discover.Namespace) {
	for _, p := range ns.Procs {
		if o.procRows[p] == nil {
			o.showProcess(ns, p)
		}
	}
}

func (o *output) showProcess(ns *discover.Namespace, p *discover.Process) {
	if o.cfg.tree == treeProcess && p.Parent != nil && o.procRows[p.Parent] == nil && p.Parent.NS[ns.Kind] == p.NS[ns.Kind] {
		o.showProcess(ns, p.Parent)
	}
	o.addRow(ns, p)
}

// addRow adds the row for ns shown through process p (nil for none), under its tree parent,
// unless the -Q filter rejects it.
func (o *output) addRow(ns *discover.Namespace, p *discover.Process) {
	var parent *scols.Row
	switch {
	case o.cfg.tree == treeProcess && p != nil && p.Parent != nil:
		parent = o.procRows[p.Parent]
	case o.cfg.tree == treeParent && ns.ParentNS != nil:
		parent = o.nsRows[ns.ParentNS]
	case o.cfg.tree == treeOwner && ns.OwnerNS != nil:
		parent = o.nsRows[ns.OwnerNS]
	}
	cells := make([]string, len(o.ids))
	for i, id := range o.ids {
		cells[i] = o.cell(id, ns, p)
	}
	if o.err != nil {
		return
	}
	if f := o.cfg.filter; f != nil {
		ok, err := f.Match(func(name string) (string, bool) {
			id, _ := columnByName(name)
			for i, c := range o.ids {
				if c == id {
					return cells[i], columns[id].Number
				}
			}
			return "", false
		})
		if err != nil {
			o.err = err
		}
		if !ok || err != nil {
			return
		}
	}
	r := o.tab.NewRow(parent)
	copy(r.Cells, cells)
	if o.colored {
		r.Paint = o.painter(ns, p)
	}
	if o.cfg.tree == treeOwner || o.cfg.tree == treeParent {
		o.nsRows[ns] = r
	} else if p != nil {
		o.procRows[p] = r
	}
}

// painter colours TYPE by kind and dims the rows of kernel threads; it colours padded text,
// so widths never change.
func (o *output) painter(ns *discover.Namespace, p *discover.Process) func(int, string) string {
	kernel := p != nil && (p.PID == 2 || p.PPID == 2)
	kind := o.kinds[nsutil.Kinds[ns.Kind].Name]
	return func(col int, s string) string {
		switch {
		case kernel:
			return cli.Sprint(o.dim, s)
		case o.ids[col] == colType:
			return cli.Sprint(kind, s)
		}
		return s
	}
}

// cell is the text of one column for ns shown through p.
func (o *output) cell(id colID, ns *discover.Namespace, p *discover.Process) string {
	kind := nsutil.Kinds[ns.Kind]
	switch id {
	case colNS:
		return strconv.FormatUint(ns.Inode, 10)
	case colType:
		return kind.Name
	case colPath:
		if p != nil {
			return kind.ProcPath(p.PID)
		}
	case colNProcs:
		return strconv.Itoa(len(ns.Procs))
	case colPID:
		if p != nil {
			return strconv.Itoa(p.PID)
		}
	case colPPID:
		if p != nil {
			return strconv.Itoa(p.PPID)
		}
	case colCommand:
		if p != nil {
			return p.Command
		}
	case colUID:
		return strconv.FormatUint(uint64(o.uid(ns, p)), 10)
	case colUser:
		return o.userName(o.uid(ns, p))
	case colNetNSID:
		if ns.HasNetNSID {
			switch {
			case ns.NetNSID >= 0:
				return strconv.Itoa(ns.NetNSID)
			case ns.NetNSID == unix.NETNSA_NSID_NOT_ASSIGNED:
				return "unassigned"
			}
		}
	case colNSFS:
		sep := "\n"
		if o.cfg.noWrap {
			sep = ","
		}
		return strings.Join(ns.Mounts, sep)
	case colPNS:
		return strconv.FormatUint(ns.Relations.Parent, 10)
	case colONS:
		return strconv.FormatUint(ns.Relations.Owner, 10)
	case colContainer:
		if p != nil {
			if c, ok := discover.ProcessContainer(p.PID); ok {
				return c.Short()
			}
		}
	}
	return ""
}

func (o *output) uid(ns *discover.Namespace, p *discover.Process) uint32 {
	if p != nil {
		return p.UID
	}
	return ns.OwnerUID
}

// userName is the account name of uid, or the number when it has none; looked up once per uid.
func (o *output) userName(uid uint32) string {
	if name, ok := o.users[uid]; ok {
		return name
	}
	name := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	o.users[uid] = name
	return name
}
