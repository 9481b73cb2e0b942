//go:build linux

package unshare

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/executor"
	"golang.org/x/sys/unix"
)

// noID is "not given" for the uid and gid options.
const noID = -1

// persistTarget is a namespace to keep alive by bind-mounting it onto File.
type persistTarget struct {
	Kind nsutil.Kind
	File string
}

// source is the /proc file of the namespace that is bound onto File, for unshare's process pid
// (a number, or the plan's "%p"): for pid and time, the namespace its children are in.
func (t persistTarget) source(pid string) string {
	name := t.Kind.Name
	if t.Kind.ChildrenFile != "" {
		name = t.Kind.ChildrenFile
	}
	return "/proc/" + pid + "/ns/" + name
}

// persistFailure is why a namespace file cannot receive its bind mount, found before the plan
// runs and reported where util-linux's bind fails: after unshare, so that an unshare that fails
// (an unprivileged user without --user) is reported first, as util-linux reports it.
type persistFailure struct {
	errno unix.Errno // 0: msg alone
	msg   string     // "%p" is unshare's PID
}

// options is the command line resolved and checked: everything buildPlan needs, in the terms
// of the steps it makes.
type options struct {
	flags          uintptr // CLONE_NEW* to unshare
	persist        []persistTarget
	persistFailure *persistFailure // the first --KIND=FILE that cannot be bound, nil when none
	fork           bool
	forwardSignals bool
	killSignal     unix.Signal // 0: no --kill-child
	init           bool
	mountProc      bool   // --mount-proc (or what implies it) was given
	procDir        string // where: /proc, or its value (even "", which util-linux fails to mount)
	mountBinfmt    bool   // --mount-binfmt (or --load-interp) was given
	binfmtDir      string // where: /proc/sys/fs/binfmt_misc, or its value
	interp         string // --load-interp
	propagation    uintptr
	root, wd       string
	setuid         int64 // -S, noID when not given
	setgid         int64 // -G
	mapUser        int64 // a single uid mapped to the caller's euid, noID when none
	mapGroup       int64
	userRanges     []nsutil.IDRange // the uid map, written by a helper (newuidmap) when not empty
	groupRanges    []nsutil.IDRange
	ownerUID       int64 // --owner
	ownerGID       int64
	setgroups      string // "allow", "deny" or "" to leave it
	keepCaps       bool
	monotonic      *int64
	boottime       *int64
	env            []string // the program's environment; nil keeps unshare's
	argv           []string // the program and its arguments; empty runs a shell
	trace          bool
	euid, egid     uint32
}

// propagations are --propagation's values, as mount flags for "/".
var propagations = map[string]uintptr{
	"slave":     unix.MS_REC | unix.MS_SLAVE,
	"private":   unix.MS_REC | unix.MS_PRIVATE,
	"shared":    unix.MS_REC | unix.MS_SHARED,
	"unchanged": 0,
}

// binfmtMisc is where --mount-binfmt and --load-interp mount binfmt_misc by default.
const binfmtMisc = "/proc/sys/fs/binfmt_misc"

// resolve checks the command line g, whose options were given as opts, and works out what it
// means, with util-linux's rules for what implies what, and its error messages.
func resolve(g *grammar, opts *cli.Options) (*options, error) {
	o := &options{setuid: noID, setgid: noID, mapUser: noID, mapGroup: noID, ownerUID: noID, ownerGID: noID,
		propagation: unix.MS_REC | unix.MS_PRIVATE, root: g.Root.Value, wd: g.Wd.Value, keepCaps: g.KeepCaps,
		argv: g.Program, trace: g.Trace, init: g.Init,
		euid: uint32(os.Geteuid()), egid: uint32(os.Getegid())}
	for _, k := range nsutil.Kinds {
		last, ok := opts.Last(k.Long) // --net, --net=FILE: the last one counts
		if !ok {
			continue
		}
		o.flags |= k.Flag
		if last.HasValue {
			o.persist = append(o.persist, persistTarget{Kind: k, File: last.Value})
		}
	}
	if err := o.commandLine(opts); err != nil {
		return nil, err
	}
	if err := o.resolveMounts(g); err != nil {
		return nil, err
	}
	if err := o.resolveProcess(g); err != nil {
		return nil, err
	}
	if err := o.resolveUsers(opts); err != nil {
		return nil, err
	}
	if err := o.resolveTime(); err != nil {
		return nil, err
	}
	if err := o.checkPersist(); err != nil {
		return nil, err
	}
	// util-linux finds this in the program's process, after the namespace files are bound.
	if o.setgroups == "allow" && o.mapGroup != noID {
		return nil, errors.New("options --setgroups=allow and --map-group are mutually exclusive")
	}
	o.env = environment(g.ClearEnv, g.WhitelistEnv)
	return o, nil
}

// commandLine parses (once) and checks each option value where it was given, as util-linux's
// single getopt pass does, so that of several bad values the first given is reported; the last
// occurrence of an option counts. Among -r, -c, --map-user (and --map-group) the last given
// wins, and --map-users, --map-groups, --map-auto and --map-subids add their ranges in the
// order given, as util-linux writes the maps' lines.
func (o *options) commandLine(opts *cli.Options) error {
	checks := opts.Checks()
	checks.Each("setgroups", func(a cli.Occurrence) (err error) {
		o.setgroups, err = parseSetgroups(a.Value)
		return err
	})
	checks.Each("propagation", func(a cli.Occurrence) (err error) {
		o.propagation, err = parsePropagation(a.Value)
		return err
	})
	checks.Each("kill-child", func(a cli.Occurrence) (err error) {
		o.killSignal = unix.SIGKILL
		if a.HasValue {
			o.killSignal, err = nsutil.ParseSignal(a.Value)
		}
		return err
	})
	checks.Each("setuid", func(a cli.Occurrence) (err error) {
		o.setuid, err = parseNumericID(a.Value, "failed to parse uid")
		return err
	})
	checks.Each("setgid", func(a cli.Occurrence) (err error) {
		o.setgid, err = parseNumericID(a.Value, "failed to parse gid")
		return err
	})
	checks.Each("monotonic", func(a cli.Occurrence) (err error) {
		o.monotonic, err = parseOffset(a.Value, "monotonic")
		return err
	})
	checks.Each("boottime", func(a cli.Occurrence) (err error) {
		o.boottime, err = parseOffset(a.Value, "boottime")
		return err
	})
	checks.Each("owner", func(a cli.Occurrence) (err error) {
		o.ownerUID, o.ownerGID, err = parseOwner(a.Value)
		return err
	})
	checks.Each("map-root-user", func(cli.Occurrence) error {
		o.mapUser, o.mapGroup = 0, 0
		return nil
	})
	checks.Each("map-current-user", func(cli.Occurrence) error {
		o.mapUser, o.mapGroup = int64(o.euid), int64(o.egid)
		return nil
	})
	checks.Each("map-user", func(a cli.Occurrence) (err error) {
		o.mapUser, err = lookupID(a.Value, true)
		return err
	})
	checks.Each("map-group", func(a cli.Occurrence) (err error) {
		o.mapGroup, err = lookupID(a.Value, false)
		return err
	})
	users := func(spec string) error {
		r, err := idRanges(spec, "/etc/subuid", "/proc/self/uid_map", o.euid)
		o.userRanges = append(o.userRanges, r...)
		return err
	}
	groups := func(spec string) error {
		r, err := idRanges(spec, "/etc/subgid", "/proc/self/gid_map", o.euid)
		o.groupRanges = append(o.groupRanges, r...)
		return err
	}
	both := func(spec string) func(cli.Occurrence) error {
		return func(cli.Occurrence) error {
			if err := users(spec); err != nil {
				return err
			}
			return groups(spec)
		}
	}
	checks.Each("map-users", func(a cli.Occurrence) error { return users(a.Value) })
	checks.Each("map-groups", func(a cli.Occurrence) error { return groups(a.Value) })
	checks.Each("map-auto", both("auto"))
	checks.Each("map-subids", both("subids"))
	o.mountOccurrences(checks)
	return checks.Run()
}

// mountOccurrences sets the proc and binfmt_misc mount points as util-linux does, option by
// option in the order given: --mount-binfmt without a value and --load-interp (when no
// binfmt_misc mount point is set yet) mount binfmt_misc at /proc/sys/fs/binfmt_misc and, unless
// one is set already, proc at /proc; so `-l X --mount-binfmt=DIR` mounts /proc and
// `--mount-binfmt=DIR -l X` does not. A value given empty (`--mount-proc=`) is the path "".
func (o *options) mountOccurrences(checks *cli.Checks) {
	defaultMounts := func() {
		o.mountBinfmt, o.binfmtDir = true, binfmtMisc
		if !o.mountProc {
			o.mountProc, o.procDir = true, "/proc"
		}
	}
	checks.Each("mount-proc", func(a cli.Occurrence) error {
		o.mountProc, o.procDir = true, "/proc"
		if a.HasValue {
			o.procDir = a.Value
		}
		return nil
	})
	checks.Each("mount-binfmt", func(a cli.Occurrence) error {
		o.mountBinfmt, o.binfmtDir = true, a.Value
		if !a.HasValue {
			defaultMounts()
		}
		return nil
	})
	checks.Each("load-interp", func(a cli.Occurrence) error {
		if !o.mountBinfmt {
			defaultMounts()
		}
		o.interp = a.Value
		return nil
	})
}

// parseSetgroups reads --setgroups's value.
func parseSetgroups(s string) (string, error) {
	if s != "allow" && s != "deny" {
		return "", fmt.Errorf("unsupported --setgroups argument '%s'", s)
	}
	return s, nil
}

// parsePropagation reads --propagation's value as mount flags for "/".
func parsePropagation(s string) (uintptr, error) {
	prop, ok := propagations[s]
	if !ok {
		return 0, fmt.Errorf("unsupported propagation mode: %s", s)
	}
	return prop, nil
}

// resolveMounts: --mount-proc, --mount-binfmt, --load-interp; -R and -w.
func (o *options) resolveMounts(g *grammar) error {
	// Where proc and binfmt_misc are mounted: mountOccurrences.
	if g.MountProc.Set {
		o.flags |= unix.CLONE_NEWNS
	}
	if g.MountBinfmt.Set || g.LoadInterp.Set {
		o.flags |= unix.CLONE_NEWNS | unix.CLONE_NEWUSER
	}
	// chroot("") and chdir("") fail as util-linux's do.
	if g.Root.Set && g.Root.Value == "" {
		return fmt.Errorf("cannot change root directory to '': %w", unix.ENOENT)
	}
	if g.Wd.Set && g.Wd.Value == "" {
		return fmt.Errorf("cannot change directory to : %w", unix.ENOENT)
	}
	return nil
}

// resolveProcess: forking, signals, --init.
func (o *options) resolveProcess(g *grammar) error {
	o.fork = g.Fork || g.KillChild.Set || g.ForwardSignals || g.Init
	o.forwardSignals = g.ForwardSignals
	if g.Init && o.flags&unix.CLONE_NEWPID == 0 {
		return errors.New("--init needs a new PID namespace (--pid)")
	}
	return nil
}

// blanks are what strtoul skips before a number.
const blanks = " \t\n\v\f\r"

// parseNumericID parses a -S/-G value as util-linux's strtoul_or_err reads it
// (nsutil.ParseUint64C). Unlike util-linux, which truncates, a value that is no uid (2^32-1 or
// more) is out of range too.
func parseNumericID(value, errmsg string) (int64, error) {
	id, err := nsutil.ParseUint64C(value)
	if err == nil && id >= math.MaxUint32 {
		err = unix.ERANGE
	}
	switch err {
	case nil:
		return int64(id), nil
	case unix.ERANGE:
		return 0, fmt.Errorf("%s: '%s': %w", errmsg, value, unix.ERANGE)
	}
	return 0, fmt.Errorf("%s: '%s'", errmsg, value)
}

// resolveUsers: the user-namespace options (their values are read already), as util-linux
// combines them.
func (o *options) resolveUsers(opts *cli.Options) error {
	for _, name := range []string{"map-root-user", "map-current-user", "map-user", "map-group",
		"map-auto", "map-subids", "map-users", "map-groups", "owner"} {
		if opts.Given(name) {
			o.flags |= unix.CLONE_NEWUSER
		}
	}
	// A single mapping joins the ranges (or, with --owner, becomes one): written by the helper.
	if len(o.userRanges) > 0 || (o.mapUser != noID && o.ownerUID != noID) {
		o.userRanges = nsutil.PlaceSingleID(o.userRanges, o.euid, uint32(o.mapUser), o.mapUser != noID)
		o.mapUser = noID
	}
	if len(o.groupRanges) > 0 || (o.mapGroup != noID && o.ownerGID != noID) {
		o.groupRanges = nsutil.PlaceSingleID(o.groupRanges, o.egid, uint32(o.mapGroup), o.mapGroup != noID)
		o.mapGroup = noID
	}
	return nil
}

// parseOwner reads --owner's UID:GID.
func parseOwner(s string) (uid, gid int64, err error) {
	u, gr, ok := strings.Cut(s, ":")
	uid32, err1 := nsutil.ParseID(u)
	gid32, err2 := nsutil.ParseID(gr)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, errors.New("failed to parse owner")
	}
	return int64(uid32), int64(gid32), nil
}

// lookupID reads a uid (or gid) given as a number or a user (group) name.
func lookupID(s string, isUser bool) (int64, error) {
	if id, err := nsutil.ParseID(s); err == nil {
		return int64(id), nil
	}
	var id string
	if isUser {
		if u, err := user.Lookup(s); err == nil {
			id = u.Uid
		}
	} else if gr, err := user.LookupGroup(s); err == nil {
		id = gr.Gid
	}
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		if isUser {
			return 0, fmt.Errorf("failed to parse uid '%s'", s)
		}
		return 0, fmt.Errorf("failed to parse gid '%s'", s)
	}
	return int64(n), nil
}

// idRanges reads a --map-users (or --map-groups) value: a range, auto, subids or all.
func idRanges(s, subidFile, kernelMap string, euid uint32) ([]nsutil.IDRange, error) {
	spec, err := nsutil.ParseIDMapSpec(s)
	if err != nil {
		return nil, err
	}
	switch spec.Source {
	case nsutil.MapRange:
		return []nsutil.IDRange{spec.Range}, nil
	case nsutil.MapAll:
		data, err := os.ReadFile(kernelMap)
		if err != nil {
			return nil, fmt.Errorf("could not open '%s': %w", kernelMap, unwrapPath(err))
		}
		return nsutil.ParseKernelIDMap(string(data)), nil
	}
	r, err := subIDRange(subidFile, euid, spec.Source == nsutil.MapSubIDs)
	if err != nil {
		return nil, err
	}
	return []nsutil.IDRange{r}, nil
}

// subIDRange finds the caller's first range in /etc/subuid or /etc/subgid.
func subIDRange(file string, euid uint32, identity bool) (nsutil.IDRange, error) {
	u, err := user.LookupId(strconv.FormatUint(uint64(euid), 10))
	if err != nil {
		//lint:ignore ST1005 util-linux's message, full stop included
		return nsutil.IDRange{}, fmt.Errorf("you (user %d) don't exist.", euid)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nsutil.IDRange{}, fmt.Errorf("could not open '%s': %w", file, unwrapPath(err))
	}
	r, err := nsutil.FindSubIDRange(string(data), u.Username, euid, identity)
	if errors.Is(err, nsutil.ErrNoSubIDs) {
		return r, fmt.Errorf("no line matching user \"%s\" in %s", u.Username, file)
	}
	return r, err
}

// resolveTime: --monotonic and --boottime need -T.
func (o *options) resolveTime() error {
	if (o.monotonic != nil || o.boottime != nil) && o.flags&unix.CLONE_NEWTIME == 0 {
		return errors.New("options --monotonic and --boottime require unsharing of a time namespace (-T)")
	}
	return nil
}

// parseOffset reads a clock offset in seconds as util-linux's strtos64_or_err does (leading
// blanks, a sign).
func parseOffset(value, clock string) (*int64, error) {
	v, err := strconv.ParseInt(strings.TrimLeft(value, blanks), 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return nil, fmt.Errorf("failed to parse %s offset: '%s': %w", clock, value, unix.ERANGE)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s offset: '%s'", clock, value)
	}
	return &v, nil
}

// checkPersist checks every --KIND=FILE before anything is changed and records the first that
// cannot be bound (o.persistFailure), which the plan reports right after unshare and before
// the fork, where util-linux's bind fails: what util-linux finds before (unshare itself, the ID
// maps, the time offsets) is reported first, and the program never runs.
func (o *options) checkPersist() error {
	// The executor reads "%p" in a mount's paths as the PID of unshare.
	for _, path := range []string{o.procDir, o.binfmtDir} {
		if strings.Contains(path, "%p") {
			return fmt.Errorf("'%s': paths holding %%p are not supported", path)
		}
	}
	mayMount := len(o.persist) > 0 && nsutil.MayMount()
	for _, t := range o.persist {
		if strings.Contains(t.File, "%p") {
			return fmt.Errorf("'%s': paths holding %%p are not supported", t.File)
		}
		// In mount(2)'s order: the target's lookup, the caller's privilege, the source (a PID
		// namespace's pid_for_children names none until a child is forked in it), then the
		// target's type and, for a mount namespace, its mount's propagation.
		shared, err := nsutil.CheckPersistTarget(t.File, t.Kind.Name == "mnt")
		if lookup := err != nil && !errors.Is(err, unix.EISDIR); !lookup {
			switch {
			case !mayMount:
				shared, err = "", unix.EPERM
			case t.Kind.Flag == unix.CLONE_NEWPID && !o.fork:
				shared, err = "", unix.ENOENT
			}
		}
		if err != nil {
			// Worded as util-linux's failed bind.
			err = unwrapPath(err)
			if errors.Is(err, unix.EISDIR) {
				err = unix.ENOTDIR // what mount(2) says of a namespace bound onto a directory
			}
			var errno unix.Errno
			if !errors.As(err, &errno) {
				return fmt.Errorf("mount %s on %s failed: %w", t.source(strconv.Itoa(os.Getpid())), t.File, err)
			}
			o.persistFailure = &persistFailure{errno: errno, msg: fmt.Sprintf("mount %s on %s failed", t.source("%p"), t.File)}
			return nil
		}
		if shared != "" {
			o.persistFailure = &persistFailure{msg: fmt.Sprintf("cannot bind the mount namespace to '%s': it is on the shared mount %s (make it private first, e.g. mount --bind %s %s && mount --make-private %s)",
				t.File, shared, filepath.Dir(t.File), filepath.Dir(t.File), filepath.Dir(t.File))}
			return nil
		}
	}
	return nil
}

// unwrapPath keeps the reason of a *os.PathError, whose text would repeat the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// environment is the program's environment: nil keeps unshare's own; --clear-env empties it;
// --whitelist-env keeps only the variables named (comma-separated lists, repeatable).
func environment(clear bool, whitelist []string) []string {
	if !clear && len(whitelist) == 0 {
		return nil
	}
	keep := map[string]bool{}
	for _, list := range whitelist {
		for _, name := range strings.Split(list, ",") {
			keep[name] = true
		}
	}
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if keep[name] && !strings.HasPrefix(kv, executor.PlanMarker+"=") {
			env = append(env, kv)
		}
	}
	return env
}
