//go:build linux

package lsns

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/discover"
	"github.com/nsbox/nsbox/tools/lsns/scols"
	"golang.org/x/sys/unix"
)

// treeMode is how rows nest.
type treeMode int

const (
	treeNone treeMode = iota
	treeProcess
	treeOwner
	treeParent
)

type grammar struct {
	JSON        bool              `short:"J" name:"json"`
	List        bool              `short:"l" name:"list"`
	NoHeadings  bool              `short:"n" name:"noheadings"`
	Output      []string          `short:"o" name:"output" sep:"none" complete:"columns"`
	OutputAll   bool              `name:"output-all"`
	Persistent  bool              `short:"P" name:"persistent"`
	Task        cli.RequiredArg   `short:"p" name:"task" complete:"pids"`
	Filter      string            `short:"Q" name:"filter" complete:"none"`
	Raw         bool              `short:"r" name:"raw"`
	NoTruncate  bool              `short:"u" name:"notruncate"`
	NoWrap      bool              `short:"W" name:"nowrap"`
	Type        []string          `short:"t" name:"type" sep:"none" complete:"kinds"`
	Tree        cli.OptionalValue `short:"T" name:"tree" optvalue:"rel" attached:"short" complete:"values=process,parent,owner"`
	ListColumns bool              `short:"H" name:"list-columns"`
	cli.ColorFlag
	Help    cli.HelpFlag    `short:"h"`
	Version cli.VersionFlag `short:"V"`
	// Namespace is the namespace inode argument; as in util-linux, words after the first are
	// ignored.
	Namespace []string `arg:"" optional:""`

	// opts is where each option occurs, so that options are checked in util-linux's order;
	// Main fills it in.
	opts *cli.Options
}

// optionHelp is how --help shows each option and argument (see cli.OptionHelp).
var optionHelp = []cli.OptionHelp{
	{Name: "json", Help: "use JSON output format"},
	{Name: "list", Help: "use list format output"},
	{Name: "noheadings", Help: "don't print headings"},
	{Name: "output", PlaceHolder: "list", Help: "define which output columns to use"},
	{Name: "output-all", Help: "output all columns"},
	{Name: "persistent", Help: "namespaces without processes"},
	{Name: "task", PlaceHolder: "pid", Help: "print process namespaces"},
	{Name: "filter", PlaceHolder: "expr", Help: "apply display filter"},
	{Name: "raw", Help: "use the raw output format"},
	{Name: "notruncate", Help: "don't truncate text in columns"},
	{Name: "nowrap", Help: "don't use multi-line representation"},
	{Name: "type", PlaceHolder: "name", Help: "namespace type (mnt, net, ipc, user, pid, uts, cgroup, time)"},
	{Name: "tree", Help: "use tree format (parent, owner, or process)"},
	{Name: "list-columns", Help: "list the available columns"},
	{Name: "namespace", Help: "namespace inode"},
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{Name: "lsns", Synopsis: "[options] [<namespace>]", Description: "List system namespaces.", Help: optionHelp,
		// util-linux 2.42's long_opts, in its order.
		Getopt: []string{"json", "task", "help", "output", "output-all", "persistent", "filter",
			"notruncate", "version", "noheadings", "nowrap", "list", "raw", "type", "tree", "list-columns"},
	}, &grammar{}
}

// Main runs lsns with args (without the program name), writing to stdout and stderr, and
// returns the exit status.
func Main(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	g, opts, code, done := cli.ParseCommand(Command, args, stdout, stderr)
	if done {
		return code
	}
	gr := g.(*grammar)
	gr.opts = opts
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	if err := run(gr, out, stdout, stderr); err != nil {
		// Like util-linux's, the message comes before what is still buffered for stdout.
		return report(stderr, err)
	}
	return cli.ExitOK
}

// exitUnsupportedIoctl is util-linux's exit status when the kernel lacks a namespace ioctl.
const exitUnsupportedIoctl = 2

// failure is an error that lsns reports as util-linux does: warning lines, then the message
// (none when msg is empty: util-linux fails silently on some bad -o lists), then the status.
type failure struct {
	warnings []string
	msg      string
	code     int
}

func (f *failure) Error() string {
	return strings.Join(append(append([]string(nil), f.warnings...), f.msg), "; ")
}

// report prints err on w as util-linux would and returns the exit status.
func report(w io.Writer, err error) int {
	var f *failure
	if !errors.As(err, &f) {
		return cli.Fail(w, "lsns", err)
	}
	lines := f.warnings
	if f.msg != "" {
		lines = append(lines, f.msg)
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%s: %s\n", cli.ErrorPrefix(w, "lsns"), l)
	}
	return f.code
}

// config is the grammar turned into decisions.
type config struct {
	cols       []colID
	tree       treeMode
	types      []bool
	pid        int
	nsArg      uint64
	hasNSArg   bool
	filter     *scols.Filter
	persistent bool
	noWrap     bool
	noTrunc    bool
	format     scols.Format
	noHeadings bool
}

// configure checks the options as util-linux does and works out columns and tree mode. On an
// error it still returns the config, whose filter holds what util-linux's filter scanner echoed.
func configure(g *grammar) (*config, error) {
	c := &config{noWrap: g.NoWrap || g.Raw, noTrunc: g.NoTruncate, noHeadings: g.NoHeadings, persistent: g.Persistent}
	switch {
	case g.JSON:
		c.format = scols.FormatJSON
	case g.Raw:
		c.format = scols.FormatRaw
	}
	c.types = make([]bool, len(nsutil.Kinds))
	if err := c.checkOptions(g); err != nil {
		return c, err
	}
	if len(g.Type) == 0 {
		for k := range c.types {
			c.types[k] = true
		}
	}
	isNet := slices.Contains(g.Type, "net")
	if g.ListColumns {
		return c, nil // -H comes after the option checks, before -o and the namespace argument
	}
	if g.OutputAll {
		for id := 0; id < utilLinuxColumns; id++ {
			c.cols = append(c.cols, colID(id))
		}
	}
	if len(g.Namespace) > 0 {
		if c.pid != 0 {
			return c, errors.New("--task is mutually exclusive with <namespace>")
		}
		arg := g.Namespace[0]
		ino, err := parseNumber(arg, 0, math.MaxUint64)
		if err != nil {
			return c, fmt.Errorf("invalid namespace argument: '%s'%s", arg, err)
		}
		// Namespace 0 lists every namespace, with the namespace argument's columns and tree.
		c.nsArg, c.hasNSArg = ino, ino != 0
		if c.tree == treeNone && !g.List {
			c.tree = treeProcess
		}
		if len(c.cols) == 0 {
			c.cols = []colID{colPID, colPPID, colUser, colCommand}
		}
	}
	if len(c.cols) == 0 {
		c.cols = []colID{colNS, colType, colNProcs, colPID, colUser}
		if isNet {
			c.cols = append(c.cols, colNetNSID, colNSFS)
		}
		c.cols = append(c.cols, colCommand)
		if c.tree == treeNone && !g.List {
			c.tree = treeProcess
		}
	}
	if n := len(g.Output); n > 0 {
		// As in util-linux, only the last -o counts.
		cols, err := parseColumnList(g.Output[n-1], c.cols)
		if err != nil {
			return c, err
		}
		c.cols = cols
	}
	return c, nil
}

// checkOptions makes the checks util-linux makes while it reads the options (-t, -p, -T, -Q and
// the mutually exclusive pairs), at each occurrence in command-line order, so that of several
// bad options the same one is reported. The last occurrence of an option counts.
func (c *config) checkOptions(g *grammar) error {
	checks := g.opts.Checks()
	// util-linux 2.42 lists -l/-T too, but its check never fires: -l with -T gives the tree.
	checks.Exclusive("json", "raw")
	checks.Exclusive("persistent", "task")
	checks.Each("type", func(o cli.Occurrence) error {
		k, ok := nsutil.KindIndex(o.Value)
		if !ok {
			return fmt.Errorf("unknown namespace type: %s", o.Value)
		}
		c.types[k] = true
		return nil
	})
	checks.Each("task", func(o cli.Occurrence) error {
		pid, err := parseNumber(o.Value, 1, math.MaxInt32)
		if err != nil {
			return fmt.Errorf("invalid PID argument: '%s'%s", o.Value, err)
		}
		c.pid = int(pid)
		return nil
	})
	checks.Each("tree", c.setTree)
	checks.Each("filter", func(o cli.Occurrence) error {
		c.filter = nil
		if o.Value == "" {
			return nil
		}
		f, err := scols.ParseFilter(o.Value)
		c.filter = f
		return err
	})
	return checks.Run()
}

// setTree reads -T's relation.
func (c *config) setTree(t cli.Occurrence) error {
	rel := strings.TrimPrefix(t.Value, "=")
	switch {
	case !t.HasValue || rel == "owner":
		c.tree = treeOwner
	case rel == "parent":
		c.tree = treeParent
	case rel == "process":
		c.tree = treeProcess
	default:
		return fmt.Errorf("unknown tree type: %s", rel)
	}
	return nil
}

// checkFilterColumns reports every unknown column the filter names, as util-linux does once
// it has scanned, and a filter that would add more (hidden) columns than util-linux has room for.
func (c *config) checkFilterColumns() error {
	if c.filter == nil {
		return nil
	}
	var unknown []string
	ncols := len(c.cols)
	added := map[colID]bool{}
	for _, name := range c.filter.Names {
		id, ok := columnByName(name)
		switch {
		case !ok:
			unknown = append(unknown, "unknown column: "+name)
		case !slices.Contains(c.cols, id) && !added[id]:
			if ncols >= maxColumns {
				msg := fmt.Sprintf("too many columns specified, the limit is %d columns", maxColumns-1)
				return &failure{warnings: unknown, msg: msg, code: cli.ExitFailure}
			}
			added[id] = true
			ncols++
		}
	}
	if unknown != nil {
		return &failure{warnings: unknown, msg: "failed to initialize filter", code: cli.ExitFailure}
	}
	return nil
}

// parseNumber reads s as util-linux's strto*_or_err do (nsutil.ParseUint64C) and checks it is
// in [lo, hi]. Its error is what util-linux adds to the message: "" for junk, ": Numerical
// result out of range" for range.
func parseNumber(s string, lo, hi uint64) (uint64, error) {
	n, err := nsutil.ParseUint64C(s)
	if err == unix.EINVAL {
		return 0, errors.New("")
	}
	if err != nil || n < lo || n > hi {
		return 0, errors.New(": " + cli.Strerror(unix.ERANGE))
	}
	return n, nil
}

// run lists the namespaces for g on w, which writes to stdout (whose terminal, if it is one,
// decides colour and width); warnings go to stderr.
func run(g *grammar, w *bufio.Writer, stdout, stderr io.Writer) error {
	c, err := configure(g)
	if c != nil && c.filter != nil {
		w.Write(c.filter.Echo) // util-linux's filter scanner echoes what it cannot read
	}
	if err != nil {
		return err
	}
	if g.ListColumns {
		return listColumns(g, w)
	}
	if err := c.checkFilterColumns(); err != nil {
		return err
	}
	opts := discover.Options{Kinds: c.types, RelationsOf: relationsOf, Relations: c.tree == treeOwner || c.tree == treeParent}
	for _, id := range c.allColumns() {
		switch id {
		case colPNS, colONS:
			opts.Relations = true
		case colNetNSID:
			opts.NetNSID = true
		}
	}
	h, err := discover.Scan(opts)
	if err != nil {
		return err
	}
	if opts.Relations {
		warnings, err := unsupportedIoctls(h.Unsupported)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "%s: %s\n", cli.ErrorPrefix(stderr, "lsns"), w)
		}
	}
	if c.tree == treeOwner || c.tree == treeParent {
		h.Connect()
	}
	o := newOutput(c, h, stdout)
	if c.hasNSArg {
		ns := h.Namespace(c.nsArg)
		if ns == nil {
			return fmt.Errorf("not found namespace: %d", c.nsArg)
		}
		h.Load(ns.Procs, o.hasColumn(colCommand))
		o.showNamespaceProcesses(ns)
	} else {
		shown := make([]*discover.Process, 0, len(h.Namespaces))
		for _, ns := range h.Namespaces {
			shown = append(shown, ns.Proc)
		}
		h.Load(shown, o.hasColumn(colCommand))
		o.showNamespaces()
	}
	if o.err != nil {
		return o.err
	}
	o.tab.Print(w)
	return nil
}

// relationsOf is discover.Options.RelationsOf: nil but in tests that play a kernel without the
// namespace ioctls.
var relationsOf func(fd int, k nsutil.Kind) (nsutil.NSRelations, error)

// unsupportedIoctls reports, as util-linux 2.42 does, a namespace ioctl the kernel does not
// know: ENOTTY is fatal ("Unsupported ioctl" and its name, exit 2, nothing listed, after the
// warnings met before it); ENOSYS (seen under emulators) is a warning, once per ioctl, and the
// relation shows as 0.
func unsupportedIoctls(unsupported []*nsutil.UnsupportedIoctlError) (warnings []string, err error) {
	for _, e := range unsupported {
		msg := "Unsupported ioctl " + e.Name
		if e.Errno == unix.ENOTTY {
			return nil, &failure{warnings: warnings, msg: msg, code: exitUnsupportedIoctl}
		}
		if !slices.Contains(warnings, msg) {
			warnings = append(warnings, msg)
		}
	}
	return warnings, nil
}

// allColumns is the shown columns plus those only the filter uses.
func (c *config) allColumns() []colID {
	cols := append([]colID(nil), c.cols...)
	if c.filter != nil {
		for _, name := range c.filter.Names {
			id, _ := columnByName(name)
			cols = append(cols, id)
		}
	}
	return cols
}

// listColumns prints -H: the columns with their JSON type and description.
func listColumns(g *grammar, w io.Writer) error {
	bw := w.(*bufio.Writer)
	t := &scols.Table{Name: "lsns-columns", UTF8: utf8Locale(), NoHeadings: true}
	t.Columns = []scols.Column{{Name: "HOLDER", Right: true}, {Name: "TYPE"}, {Name: "DESCRIPTION"}}
	switch {
	case g.JSON:
		t.Format = scols.FormatJSON
	case g.Raw:
		t.Format = scols.FormatRaw
	}
	for _, c := range columns {
		r := t.NewRow(nil)
		typ := "<string>"
		if c.Number {
			typ = "<integer>"
		}
		r.Cells[0], r.Cells[1], r.Cells[2] = c.Name, typ, c.Help
	}
	t.Print(bw)
	return nil
}

// utf8Locale reports whether the locale's codeset is UTF-8 (LC_ALL, else LC_CTYPE, else LANG),
// which is when util-linux draws trees with box-drawing characters.
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return false
}
