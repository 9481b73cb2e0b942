//go:build linux

package complete

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"github.com/nsbox/nsbox/tools/complete/comptest"
)

// toolGrammar has every kind of option the applets use, so that the generated scripts are
// tested whatever the applets' grammars are today.
type toolGrammar struct {
	Help        cli.HelpFlag      `short:"h" help:"display this help"`
	Target      string            `short:"t" placeholder:"pid" help:"target process"`
	Net         cli.OptionalValue `short:"n" optvalue:"file" attached:"short" complete:"netns" help:"enter the network namespace"`
	Mount       cli.OptionalValue `short:"m" optvalue:"file" help:"enter the mount namespace"`
	Preserve    bool              `name:"preserve-credentials" help:"do not touch uids or gids"`
	Propagation string            `enum:"slave,shared,private,unchanged" default:"private" help:"mount propagation"`
	KillChild   cli.OptionalValue `name:"kill-child" optvalue:"signame" help:"kill the child when we die"`
	Output      string            `short:"o" complete:"columns" help:"output columns"`
	Type        []string          `short:"y" complete:"kinds" help:"namespace kinds"`
	Tree        cli.OptionalValue `short:"T" optvalue:"rel" complete:"values=process,parent,owner" help:"tree"`
	Root        string            `short:"r" placeholder:"dir" aliases:"chroot" help:"root directory"`
	Secret      bool              `hidden:"" help:"not completed"`
	cli.ColorFlag
	Program []string `arg:"" optional:"" passthrough:"partial" help:"program"`
}

// listGrammar has a positional argument that is not a program, as lsns's namespace.
type listGrammar struct {
	Help  cli.HelpFlag `short:"h" help:"display this help"`
	Type  string       `short:"t" complete:"kinds" help:"namespace kind"`
	Inode string       `arg:"" optional:"" complete:"none" help:"namespace inode"`
}

// dispatchGrammar is nsbox's own shape: options, then an applet and its arguments.
type dispatchGrammar struct {
	List    bool     `short:"l" help:"list the applets"`
	Install string   `placeholder:"dir" help:"install"`
	Applet  []string `arg:"" optional:"" passthrough:"partial" complete:"applets" help:"applet"`
}

var testSets = ValueSets{
	"kinds":   {"user", "cgroup", "ipc", "uts", "net", "pid", "mnt", "time"},
	"columns": {"NS", "TYPE", "PATH", "NPROCS", "PID", "PPID", "COMMAND", "NETNSID", "NSFS"},
	"signals": {"SIGHUP", "SIGINT", "SIGKILL", "SIGTERM"},
}

func testApplets(t *testing.T) []*Applet {
	t.Helper()
	var out []*Applet
	for _, c := range []struct {
		name    string
		grammar any
	}{{"nsboxtest", &dispatchGrammar{}}, {"tool", &toolGrammar{}}, {"list-tool", &listGrammar{}}} {
		a, err := FromGrammar(cli.Spec{Name: c.name}, c.grammar, testSets)
		if err != nil {
			t.Fatalf("FromGrammar(%s): %v", c.name, err)
		}
		out = append(out, a)
	}
	return out
}

func TestFromGrammar(t *testing.T) {
	tool := testApplets(t)[1]
	byLong := map[string]Option{}
	for _, o := range tool.Options {
		byLong[o.Long] = o
	}
	if _, ok := byLong["secret"]; ok {
		t.Errorf("hidden --secret is in the model")
	}
	tests := []struct {
		long   string
		arity  Arity
		action Action
		words  []string
		list   bool
	}{
		{"help", NoValue, ActNone, nil, false},
		{"target", RequiredValue, ActPids, nil, false},
		{"net", OptionalValue, ActNetns, nil, false},
		{"mount", OptionalValue, ActFiles, nil, false},
		{"preserve-credentials", NoValue, ActNone, nil, false},
		{"propagation", RequiredValue, ActWords, []string{"slave", "shared", "private", "unchanged"}, false},
		{"kill-child", OptionalValue, ActWords, testSets["signals"], false},
		{"output", RequiredValue, ActWords, testSets["columns"], true},
		{"type", RequiredValue, ActWords, testSets["kinds"], true},
		{"tree", OptionalValue, ActWords, []string{"process", "parent", "owner"}, false},
		{"root", RequiredValue, ActDirs, nil, false},
		{"chroot", RequiredValue, ActDirs, nil, false},
		{"color", OptionalValue, ActWords, []string{"auto", "always", "never"}, false},
	}
	for _, tt := range tests {
		o, ok := byLong[tt.long]
		if !ok {
			t.Errorf("--%s: missing from the model", tt.long)
			continue
		}
		if o.Arity != tt.arity || o.Value.Action != tt.action || !slices.Equal(o.Value.Words, tt.words) || o.Value.List != tt.list {
			t.Errorf("--%s: got arity %d action %q words %v list %v, want %d %q %v %v",
				tt.long, o.Arity, o.Value.Action, o.Value.Words, o.Value.List, tt.arity, tt.action, tt.words, tt.list)
		}
	}
	if len(tool.Args) != 1 || tool.Args[0].Action != ActCommand {
		t.Errorf("tool arguments: got %+v, want one command", tool.Args)
	}
	if !byLong["net"].AttachedShort || byLong["mount"].AttachedShort {
		t.Errorf("attached short values: got net %v mount %v, want true false", byLong["net"].AttachedShort, byLong["mount"].AttachedShort)
	}
}

func TestFromGrammarErrors(t *testing.T) {
	type badTag struct {
		X string `complete:"nonsense"`
	}
	type missingSet struct {
		X string `complete:"columns"`
	}
	for name, g := range map[string]any{"unknown tag": &badTag{}, "missing set": &missingSet{}} {
		if _, err := FromGrammar(cli.Spec{Name: "bad"}, g, ValueSets{}); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}

// generate writes the script for shell into a temporary file and returns its path.
func generate(t *testing.T, shell string, applets []*Applet) string {
	t.Helper()
	gen := map[string]func(*bytes.Buffer, []*Applet) error{
		"bash": func(b *bytes.Buffer, a []*Applet) error { return Bash(b, a) },
		"zsh":  func(b *bytes.Buffer, a []*Applet) error { return Zsh(b, a) },
		"fish": func(b *bytes.Buffer, a []*Applet) error { return Fish(b, a) },
	}[shell]
	var b bytes.Buffer
	if err := gen(&b, applets); err != nil {
		t.Fatalf("%s: %v", shell, err)
	}
	path := filepath.Join(t.TempDir(), "completion."+shell)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBashCompletion(t *testing.T) {
	script := generate(t, "bash", testApplets(t))
	dir := t.TempDir()
	for _, f := range []string{"alpha.txt", "alpine.d/x"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		line string
		want []string
	}{
		{"tool --pres", []string{"--preserve-credentials"}},
		{"tool --pro", []string{"--propagation"}},
		{"tool --propagation s", []string{"shared", "slave"}},
		{"tool --propagation=p", []string{"private"}},
		{"tool --propa=p", []string{"private"}},
		{"tool -o N", []string{"NETNSID", "NPROCS", "NS", "NSFS"}},
		{"tool --output NS,T", []string{"NS,TYPE"}},
		{"tool -o +PP", []string{"+PPID"}},
		{"tool -o nsf", []string{"NSFS"}},
		{"tool -y ne", []string{"net"}},
		{"tool --tree=o", []string{"owner"}},
		{"tool --kill-child=SIGK", []string{"SIGKILL"}},
		{"tool --color=", []string{"always", "auto", "never"}},
		{"tool --color=a", []string{"always", "auto"}},
		{"tool --color truncat", []string{"truncate"}}, // a bare --color: the next word is the program
		{"tool --root " + dir + "/alp", []string{dir + "/alpine.d"}},
		{"tool --mount=" + dir + "/alpha", []string{dir + "/alpha.txt"}},
		{"tool --net=" + dir + "/alpi", []string{dir + "/alpine.d"}},
		{"tool --se", nil},
		{"tool -", nil}, // checked below: every long option
		{"tool -t " + self, nil},
		{"tool --preserve-credentials truncat", []string{"truncate"}},
		{"tool -t 1 -- truncat", []string{"truncate"}},
		{"tool -n truncat", []string{"truncate"}},
		{"tool truncate --si", nil},
		{"tool truncate " + dir + "/alph", []string{dir + "/alpha.txt"}},
		{"list-tool -t u", []string{"user", "uts"}},
		{"list-tool 4026531836 -t p", []string{"pid"}},
		{"nsboxtest to", []string{"tool"}},
		{"nsboxtest -l li", []string{"list-tool"}},
		{"nsboxtest tool --pres", []string{"--preserve-credentials"}},
		{"nsboxtest tool -o NP", []string{"NPROCS"}},
		{"nsboxtest --install " + dir + "/alp", []string{dir + "/alpine.d"}},
	}
	for _, tt := range tests {
		got := comptest.Bash(t, script, tt.line, "")
		switch tt.line {
		case "tool -":
			for _, o := range testApplets(t)[1].Options {
				want := []string{"--" + o.Long}
				if o.Arity == OptionalValue {
					want = append(want, "--"+o.Long+"=") // alone, or with its value attached
				}
				for _, w := range want {
					if o.Long != "" && !slices.Contains(got, w) {
						t.Errorf("%q: got %q, want it to include %s", tt.line, got, w)
					}
				}
			}
			if slices.Contains(got, "--secret") {
				t.Errorf("%q: got %q, want no hidden --secret", tt.line, got)
			}
			continue
		case "tool -t " + self:
			if !slices.Contains(got, self) {
				t.Errorf("%q: got %q, want it to include %s", tt.line, got, self)
			}
			continue
		}
		slices.Sort(tt.want)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestAttachedValueCompletion: an option whose value can only be attached (getopt's optional
// argument: --tree[=MODE], --net[=FILE]) completes in bash and fish to both "--tree", its common
// use, and "--tree=", so that a value can follow; then the value completes. zsh completes it to
// "--tree=".
func TestAttachedValueCompletion(t *testing.T) {
	applets := testApplets(t)
	tests := []struct{ line, option, value, values string }{
		{"tool --tr", "--tree=", "tool --tree=o", "owner"},
		{"tool --kill", "--kill-child=", "tool --kill-child=SIGK", "SIGKILL"},
		{"tool --ne", "--net=", "", ""},
	}
	t.Run("bash", func(t *testing.T) {
		script := generate(t, "bash", applets)
		for _, tt := range tests {
			bare := strings.TrimSuffix(tt.option, "=")
			// Two candidates, "--tree" and "--tree=": bash inserts "--tree" and no space.
			if got, opts := comptest.BashOptions(t, script, tt.line, ""); !slices.Equal(got, []string{bare, tt.option}) || len(opts) != 0 {
				t.Errorf("%q: got %q with compopt %q, want %q and %q and no compopt", tt.line, got, opts, bare, tt.option)
			}
			// The whole name is one candidate, which bash completes with a space.
			if got, opts := comptest.BashOptions(t, script, "tool "+bare, ""); !slices.Equal(got, []string{bare}) || len(opts) != 0 {
				t.Errorf("%q: got %q with compopt %q, want only %q, and so a space", "tool "+bare, got, opts, bare)
			}
			if tt.value == "" {
				continue
			}
			if got := comptest.Bash(t, script, tt.value, ""); !slices.Equal(got, []string{tt.values}) {
				t.Errorf("%q: got %q, want %q", tt.value, got, tt.values)
			}
		}
		// A required value may be the next word: that option is completed with a space.
		if got, opts := comptest.BashOptions(t, script, "tool --propag", ""); !slices.Equal(got, []string{"--propagation"}) || slices.Contains(opts, "-o nospace") {
			t.Errorf("%q: got %q with compopt %q, want --propagation and a space", "tool --propag", got, opts)
		}
		// Of several options, the optional values' in both forms, the required values' alone.
		want := []string{"--target", "--tree", "--tree=", "--type"}
		if got, opts := comptest.BashOptions(t, script, "tool --t", ""); !slices.Equal(got, want) || len(opts) != 0 {
			t.Errorf("%q: got %q with compopt %q, want %q and no compopt", "tool --t", got, opts, want)
		}
	})
	t.Run("zsh", func(t *testing.T) {
		script := generate(t, "zsh", applets)
		for _, tt := range tests {
			if got, want := comptest.ZshLine(t, script, tt.line), "tool "+tt.option; got != want {
				t.Errorf("%q: the line became %q, want %q", tt.line, got, want)
			}
			if tt.value == "" {
				continue
			}
			if got, want := comptest.ZshLine(t, script, tt.value), tt.value[:strings.Index(tt.value, "=")+1]+tt.values+" "; got != want {
				t.Errorf("%q: the line became %q, want %q", tt.value, got, want)
			}
		}
		// A positional argument with nothing to complete does not stop options completing.
		if got, want := comptest.ZshLine(t, script, "list-tool --ty"), "list-tool --type="; got != want {
			t.Errorf("%q: the line became %q, want %q", "list-tool --ty", got, want)
		}
	})
	t.Run("fish", func(t *testing.T) {
		script := generate(t, "fish", applets)
		for _, tt := range tests {
			if got, want := comptest.Fish(t, script, tt.line), []string{strings.TrimSuffix(tt.option, "="), tt.option}; !slices.Equal(got, want) {
				t.Errorf("%q: got %q, want %q", tt.line, got, want)
			}
			if tt.value == "" {
				continue
			}
			if got, want := comptest.Fish(t, script, tt.value), strings.TrimPrefix(tt.value[:strings.Index(tt.value, "=")+1], "tool ")+tt.values; !slices.Equal(got, []string{want}) {
				t.Errorf("%q: got %q, want %q", tt.value, got, want)
			}
		}
	})
}

func TestFishCompletion(t *testing.T) {
	script := generate(t, "fish", testApplets(t))
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "alpine.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want []string
	}{
		{"tool --pres", []string{"--preserve-credentials"}},
		{"tool --propagation s", []string{"shared", "slave"}},
		{"tool --propagation=p", []string{"--propagation=private"}},
		{"tool -o N", []string{"NETNSID", "NPROCS", "NS", "NSFS"}},
		{"tool --output=NS,T", []string{"--output=NS,TYPE"}},
		{"tool -o +PP", []string{"+PPID"}},
		{"tool -y ne", []string{"net"}},
		{"tool --tree=o", []string{"--tree=owner"}},
		{"tool --color=a", []string{"--color=always", "--color=auto"}},
		{"tool --root " + dir + "/alp", []string{dir + "/alpine.d/"}},
		{"tool truncat", []string{"truncate"}},
		{"tool -t 1 truncat", []string{"truncate"}},
		{"tool truncate --pres", nil}, // options end at the program
		{"list-tool -t u", []string{"user", "uts"}},
		{"nsboxtest to", []string{"tool"}},
		{"nsboxtest tool --pres", []string{"--preserve-credentials"}},
		{"nsboxtest tool -o NP", []string{"NPROCS"}},
	}
	for _, tt := range tests {
		got := comptest.Fish(t, script, tt.line)
		slices.Sort(tt.want)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
	// An optional value is only ever attached: the next word is the program.
	if got := comptest.Fish(t, script, "tool --tree o"); slices.Contains(got, "owner") {
		t.Errorf("%q: got %q, want no owner", "tool --tree o", got)
	}
	got := comptest.Fish(t, script, "tool --")
	for _, long := range testApplets(t)[1].LongNames() {
		if !slices.Contains(got, "--"+long) {
			t.Errorf("%q: got %q, want it to include --%s", "tool --", got, long)
		}
	}
}

func TestZshScriptSyntax(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/zsh")
	script := generate(t, "zsh", testApplets(t))
	res := nstest.Run(t, 60*time.Second, exec.Command("/usr/bin/zsh", "-n", script))
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("zsh -n: exit %d, stderr %q, want 0 and nothing", res.Code, res.Stderr)
	}
}

func TestZshCompletion(t *testing.T) {
	script := generate(t, "zsh", testApplets(t))
	tests := []struct {
		line string
		want []string
	}{
		{"tool --pres", []string{"--preserve-credentials"}},
		{"tool --propagation s", []string{"shared", "slave"}},
		{"tool -o NP", []string{"NPROCS"}},
		{"tool -o NS,T", []string{"TYPE"}},
		{"tool --tree=o", []string{"owner"}},
		{"list-tool -t u", []string{"user", "uts"}},
		{"nsboxtest to", []string{"tool"}},
		{"nsboxtest tool --pres", []string{"--preserve-credentials"}},
	}
	for _, tt := range tests {
		if got := comptest.Zsh(t, script, tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}
