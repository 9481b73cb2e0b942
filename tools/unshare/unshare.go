// Package unshare is the unshare applet: it runs a program in new namespaces, as util-linux's
// unshare(1) does, with every option of util-linux 2.41/2.42, plus --init (a PID 1 that reaps
// and forwards signals) and --trace (every namespace step as it happens).
//
//	unshare [options] [program [arguments...]]
//
// Main parses the command line with kong, turns it into an executor.Plan (see plan.go) and runs
// it; the plan's last step executes the program, so on success Main does not return.
package unshare

import (
	"errors"
	"os"
	"sync/atomic"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	"github.com/nsbox/nsbox/tools/cli"
)

// grammar is unshare's command line, in util-linux's --help order.
type grammar struct {
	Mount  nsutil.OptionalValue `short:"m" optvalue:"file" help:"unshare mounts namespace"`
	UTS    nsutil.OptionalValue `short:"u" name:"uts" optvalue:"file" help:"unshare UTS namespace (hostname etc)"`
	IPC    nsutil.OptionalValue `short:"i" name:"ipc" optvalue:"file" help:"unshare System V IPC namespace"`
	Net    nsutil.OptionalValue `short:"n" optvalue:"file" complete:"netns" help:"unshare network namespace"`
	PID    nsutil.OptionalValue `short:"p" name:"pid" optvalue:"file" help:"unshare pid namespace"`
	User   nsutil.OptionalValue `short:"U" optvalue:"file" help:"unshare user namespace"`
	Cgroup nsutil.OptionalValue `short:"C" optvalue:"file" help:"unshare cgroup namespace"`
	Time   nsutil.OptionalValue `short:"T" optvalue:"file" help:"unshare time namespace"`

	MountProc   nsutil.OptionalValue `name:"mount-proc" optvalue:"dir" help:"mount proc filesystem first (implies --mount)"`
	MountBinfmt nsutil.OptionalValue `name:"mount-binfmt" optvalue:"dir" help:"mount binfmt filesystem first (implies --user and --mount)"`
	LoadInterp  orderedArg           `short:"l" name:"load-interp" placeholder:"file" complete:"none" help:"load binfmt definition in the namespace (implies --mount-binfmt)"`
	Propagation orderedArg           `placeholder:"mode" complete:"values=private,shared,slave,unchanged" help:"modify mount propagation in mount namespace: slave, shared, private or unchanged"`
	Root        orderedArg           `short:"R" placeholder:"dir" help:"run the command with root directory set to <dir>"`
	Wd          orderedArg           `short:"w" placeholder:"dir" help:"change working directory to <dir>"`

	Setuid         orderedArg    `short:"S" placeholder:"uid" help:"set uid in entered namespace"`
	Setgid         orderedArg    `short:"G" placeholder:"gid" help:"set gid in entered namespace"`
	MapUser        orderedArg    `name:"map-user" placeholder:"uid|name" complete:"users" help:"map current user to uid (implies --user)"`
	MapGroup       orderedArg    `name:"map-group" placeholder:"gid|name" complete:"groups" help:"map current group to gid (implies --user)"`
	MapRootUser    orderedBool   `short:"r" name:"map-root-user" help:"map current user to root (implies --user)"`
	MapCurrentUser orderedBool   `short:"c" name:"map-current-user" help:"map current user to itself (implies --user)"`
	MapAuto        orderedSwitch `name:"map-auto" help:"map users and groups automatically (implies --user)"`
	MapSubids      orderedSwitch `name:"map-subids" help:"map the first block of user IDs owned by euid (implies --user)"`
	MapUsers       orderedList   `name:"map-users" placeholder:"inner:outer:count" complete:"values=auto,subids,all" help:"map count users from outer to inner (implies --user); auto, subids, all; repeatable"`
	MapGroups      orderedList   `name:"map-groups" placeholder:"inner:outer:count" complete:"values=auto,subids,all" help:"map count groups from outer to inner (implies --user); auto, subids, all; repeatable"`
	Owner          orderedArg    `placeholder:"uid:gid" help:"set the user namespace owner (implies --user)"`

	Fork           bool            `short:"f" help:"fork before launching <program>"`
	KillChild      orderedOptional `name:"kill-child" optvalue:"signame" complete:"signals" help:"when dying, kill the forked child (implies --fork); defaults to SIGKILL"`
	ForwardSignals bool            `name:"forward-signals" help:"forward SIGTERM and SIGINT to child (implies --fork)"`
	Init           bool            `help:"run pidns-init as PID 1 of the new PID namespace, the program as its child (needs --pid; implies --fork)"`

	Setgroups    orderedArg `placeholder:"allow|deny" complete:"values=allow,deny" help:"control the setgroups syscall in user namespaces"`
	KeepCaps     bool       `name:"keep-caps" help:"retain capabilities granted in user namespaces"`
	Monotonic    orderedArg `placeholder:"offset" help:"set clock monotonic offset (seconds) in time namespaces"`
	Boottime     orderedArg `placeholder:"offset" help:"set clock boottime offset (seconds) in time namespaces"`
	ClearEnv     bool       `name:"clear-env" help:"do not inherit environment variables from the calling process"`
	WhitelistEnv []string   `name:"whitelist-env" sep:"none" placeholder:"list" help:"clear environment except for specified variables"`
	Trace        bool       `help:"print every namespace step as it is carried out"`

	cli.ColorFlag
	Help    cli.HelpFlag    `short:"h" help:"display this help"`
	Version cli.VersionFlag `short:"V" help:"display version"`

	Program []string `arg:"" optional:"" passthrough:"partial" help:"the program to run and its arguments"`
}

// order numbers the mapping options as they are parsed: among -r, -c and --map-user (and
// --map-group), the last one given wins, as in util-linux.
var order atomic.Int64

// orderedBool is a switch that remembers when it was given.
type orderedBool struct{ Seq int64 }

// IsBool makes kong treat it as a switch.
func (o *orderedBool) IsBool() bool { return true }

// Decode implements kong.MapperValue.
func (o *orderedBool) Decode(*kong.DecodeContext) error { o.Seq = order.Add(1); return nil }

// orderedArg is an option with a value that remembers when it was given (Seq 0: not given), so
// that an empty value (-G "") is told from none, as getopt tells them. The last value given is
// the one used; the earlier ones are kept for checking, as util-linux checks every one.
type orderedArg struct {
	Value   string
	Seq     int64
	earlier []orderedArg
}

// Decode implements kong.MapperValue.
func (o *orderedArg) Decode(ctx *kong.DecodeContext) error {
	if o.given() {
		o.earlier = append(o.earlier, orderedArg{Value: o.Value, Seq: o.Seq})
	}
	if err := ctx.Scan.PopValueInto("value", &o.Value); err != nil {
		return err
	}
	o.Seq = order.Add(1)
	return nil
}

// given reports whether the option was on the command line.
func (o *orderedArg) given() bool { return o.Seq != 0 }

// each lists every value given, the earlier ones first.
func (o *orderedArg) each() []orderedArg {
	if !o.given() {
		return nil
	}
	return append(append([]orderedArg(nil), o.earlier...), orderedArg{Value: o.Value, Seq: o.Seq})
}

// orderedSwitch is a switch that may be given several times and remembers when each time was:
// util-linux adds --map-auto's and --map-subids' ranges where they stand among --map-users.
type orderedSwitch struct{ Seqs []int64 }

// IsBool makes kong treat it as a switch.
func (o *orderedSwitch) IsBool() bool { return true }

// Decode implements kong.MapperValue.
func (o *orderedSwitch) Decode(*kong.DecodeContext) error {
	o.Seqs = append(o.Seqs, order.Add(1))
	return nil
}

// orderedList is a repeatable option with a value that remembers when each value was given.
type orderedList struct {
	Values []string
	Seqs   []int64
}

// Decode implements kong.MapperValue.
func (o *orderedList) Decode(ctx *kong.DecodeContext) error {
	var v string
	if err := ctx.Scan.PopValueInto("value", &v); err != nil {
		return err
	}
	o.Values = append(o.Values, v)
	o.Seqs = append(o.Seqs, order.Add(1))
	return nil
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        "unshare",
		Synopsis:    "[options] [<program> [<argument>...]]",
		Description: "Run a program with some namespaces unshared from the parent.",
	}, &grammar{}
}

// Main runs unshare with args (without the program name) and returns the exit status.
func Main(args []string) int {
	spec, g := Command()
	if _, code, done := cli.Parse(spec, g, args); done {
		return code
	}
	o, err := resolve(g.(*grammar))
	if err != nil {
		return cli.Fail(os.Stderr, "unshare", err)
	}
	p, err := buildPlan(o)
	if err != nil {
		return cli.Fail(os.Stderr, "unshare", err)
	}
	err = p.Run()
	code := cli.Fail(os.Stderr, "unshare", err)
	var step *executor.StepError
	if errors.As(err, &step) {
		code = step.Code
	}
	return code
}
