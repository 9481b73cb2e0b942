//go:build linux

package lsns

import (
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"

	"github.com/fatih/color"
	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"golang.org/x/sys/unix"
)

// output builds the table from the scan, row by row, in util-linux's order and nesting.
type output struct {
	cfg     *config
	scan    *scan
	tab     *table
	users   map[uint32]string
	cmds    map[int]string          // COMMAND by PID, read ahead in parallel
	kinds   map[string]*color.Color // TYPE colours, nil without colour
	dim     *color.Color
	colored bool
	err     error // the filter could not be applied: nothing is printed
}

// newOutput sets up the table for c and s, to be written to stdout.
func newOutput(c *config, s *scan, stdout io.Writer) *output {
	o := &output{cfg: c, scan: s, users: map[uint32]string{}}
	t := &table{name: "namespaces", format: c.format, noHeadings: c.noHeadings, utf8: utf8Locale()}
	for _, id := range c.cols {
		t.cols = append(t.cols, o.column(id, false))
	}
	if c.filter != nil {
		for _, name := range c.filter.names {
			id, _ := columnByName(name)
			if !t.has(id) {
				t.cols = append(t.cols, o.column(id, true))
			}
		}
	}
	if c.format == formatHuman && cli.IsTerminal(stdout) {
		t.termWidth = terminalWidth(stdout.(*os.File))
	}
	if c.format == formatHuman && cli.UseColor(stdout) {
		o.colored = true
		o.dim = cli.Paint(stdout, color.Faint)
		o.kinds = map[string]*color.Color{}
		palette := []color.Attribute{color.FgBlue, color.FgCyan, color.FgGreen, color.FgMagenta, color.FgYellow, color.FgRed, color.FgHiBlue, color.FgHiGreen}
		for i, k := range nsutil.Kinds {
			o.kinds[k.Name] = cli.Paint(stdout, palette[i%len(palette)])
		}
	}
	o.tab = t
	return o
}

func (t *table) has(id colID) bool {
	for _, c := range t.cols {
		if c.id == id {
			return true
		}
	}
	return false
}

// column sets up one column as util-linux does for the chosen mode.
func (o *output) column(id colID, hidden bool) tableColumn {
	c := tableColumn{colInfo: columns[id], id: id, hidden: hidden}
	if o.cfg.noTrunc {
		c.Trunc = false
	}
	if o.cfg.tree == treeProcess && id == colCommand {
		c.tree = true
	}
	if o.cfg.noWrap {
		c.Wrap = false
	}
	if (o.cfg.tree == treeOwner || o.cfg.tree == treeParent) && id == colNS {
		c.tree = true
		c.Right = false
	}
	return c
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

// prefetchCommands reads the COMMAND of every process a row may show (the lowest PID of each
// namespace, or every process of the namespace argument) once, on all CPUs.
func (o *output) prefetchCommands(procs []*process) {
	if !o.tab.has(colCommand) {
		return
	}
	seen := map[int]bool{}
	var pids []int
	for _, p := range procs {
		if p != nil && !seen[p.pid] {
			seen[p.pid] = true
			pids = append(pids, p.pid)
		}
	}
	cmds := make([]string, len(pids))
	var wg sync.WaitGroup
	workers := min(scanWorkers(), max(1, len(pids)/16))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(pids); i += workers {
				cmds[i] = command(pids[i])
			}
		}()
	}
	wg.Wait()
	o.cmds = make(map[int]string, len(pids))
	for i, pid := range pids {
		o.cmds[pid] = cmds[i]
	}
}

// showNamespaces adds every listed namespace, ancestors first in owner and parent trees.
func (o *output) showNamespaces() {
	procs := make([]*process, 0, len(o.scan.list))
	for _, ns := range o.scan.list {
		procs = append(procs, ns.proc)
	}
	o.prefetchCommands(procs)
	for _, ns := range o.scan.list {
		if o.cfg.pid != 0 && !hasProcess(ns, o.cfg.pid) {
			continue
		}
		if o.cfg.persistent && len(ns.procs) != 0 {
			continue
		}
		if ns.outline == nil {
			o.showNamespace(ns)
		}
	}
}

func hasProcess(ns *namespace, pid int) bool {
	for _, p := range ns.procs {
		if p.pid == pid {
			return true
		}
	}
	return false
}

func (o *output) showNamespace(ns *namespace) {
	owner, parent := ns.relatedNS[relOwner], ns.relatedNS[relParent]
	switch {
	case o.cfg.tree == treeOwner && owner != nil && owner.outline == nil:
		o.showNamespace(owner)
	case o.cfg.tree == treeParent && parent != nil:
		if parent.outline == nil {
			o.showNamespace(parent)
		}
	case o.cfg.tree == treeParent && owner != nil && owner.outline == nil:
		o.showNamespace(owner)
	}
	o.addRow(ns, ns.proc)
}

// showNamespaceProcesses lists the processes of one namespace (the namespace argument).
func (o *output) showNamespaceProcesses(ns *namespace) {
	o.prefetchCommands(ns.procs)
	for _, p := range ns.procs {
		if p.outline == nil {
			o.showProcess(ns, p)
		}
	}
}

func (o *output) showProcess(ns *namespace, p *process) {
	if o.cfg.tree == treeProcess && p.parent != nil && p.parent.outline == nil && p.parent.ns[ns.kind] == p.ns[ns.kind] {
		o.showProcess(ns, p.parent)
	}
	o.addRow(ns, p)
}

// addRow adds the row for ns shown through process p (nil for none), under its tree parent,
// unless the -Q filter rejects it.
func (o *output) addRow(ns *namespace, p *process) {
	var parent *row
	switch {
	case o.cfg.tree == treeProcess && p != nil && p.parent != nil:
		parent = p.parent.outline
	case o.cfg.tree == treeParent && ns.relatedNS[relParent] != nil:
		parent = ns.relatedNS[relParent].outline
	case o.cfg.tree == treeOwner && ns.relatedNS[relOwner] != nil:
		parent = ns.relatedNS[relOwner].outline
	}
	cells := make([]string, len(o.tab.cols))
	for i, c := range o.tab.cols {
		cells[i] = o.cell(c.id, ns, p)
	}
	if o.err != nil {
		return
	}
	if f := o.cfg.filter; f != nil {
		ok, err := f.match(func(name string) (string, bool) {
			id, _ := columnByName(name)
			for i, c := range o.tab.cols {
				if c.id == id {
					return cells[i], columns[id].JSON == jsonNumber
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
	r := o.tab.newRow(parent)
	copy(r.cells, cells)
	if o.colored {
		r.paint = o.painter(ns, p)
	}
	if o.cfg.tree == treeOwner || o.cfg.tree == treeParent {
		ns.outline = r
	} else if p != nil {
		p.outline = r
	}
}

// painter colours TYPE by kind and dims the rows of kernel threads; it colours padded text,
// so widths never change.
func (o *output) painter(ns *namespace, p *process) func(colID, string) string {
	kernel := p != nil && (p.pid == 2 || p.ppid == 2)
	kind := o.kinds[nsutil.Kinds[ns.kind].Name]
	return func(id colID, s string) string {
		switch {
		case kernel:
			return cli.Sprint(o.dim, s)
		case id == colType:
			return cli.Sprint(kind, s)
		}
		return s
	}
}

// cell is the text of one column for ns shown through p.
func (o *output) cell(id colID, ns *namespace, p *process) string {
	kind := nsutil.Kinds[ns.kind]
	switch id {
	case colNS:
		return strconv.FormatUint(ns.ino, 10)
	case colType:
		return kind.Name
	case colPath:
		if p != nil {
			return kind.ProcPath(p.pid)
		}
	case colNProcs:
		return strconv.Itoa(len(ns.procs))
	case colPID:
		if p != nil {
			return strconv.Itoa(p.pid)
		}
	case colPPID:
		if p != nil {
			return strconv.Itoa(p.ppid)
		}
	case colCommand:
		if p != nil {
			if cmd, ok := o.cmds[p.pid]; ok {
				return cmd
			}
			return command(p.pid)
		}
	case colUID:
		return strconv.FormatUint(uint64(o.uid(ns, p)), 10)
	case colUser:
		return o.userName(o.uid(ns, p))
	case colNetNSID:
		if p != nil && kind.Name == "net" && ns.hasNetnsid {
			switch {
			case ns.netnsid >= 0:
				return strconv.Itoa(ns.netnsid)
			case ns.netnsid == nsutil.NetNSIDNotAssigned:
				return "unassigned"
			}
		}
	case colNSFS:
		sep := "\n"
		if o.cfg.noWrap {
			sep = ","
		}
		return strings.Join(o.scan.nsfsTargets(ns), sep)
	case colPNS:
		return strconv.FormatUint(ns.related[relParent], 10)
	case colONS:
		return strconv.FormatUint(ns.related[relOwner], 10)
	case colContainer:
		if p != nil {
			if c, ok := nsutil.ProcessContainer(p.pid); ok {
				return c.Short()
			}
		}
	}
	return ""
}

func (o *output) uid(ns *namespace, p *process) uint32 {
	if p != nil {
		return p.uid
	}
	return ns.uidFallback
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

// command is the command line of pid as util-linux shows it, else its command name.
func command(pid int) string {
	if cmd, err := nsutil.ReadCmdline(pid); err == nil && cmd != "" {
		return cmd
	}
	comm, _ := nsutil.ReadComm(pid)
	return comm
}
