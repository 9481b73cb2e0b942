//go:build linux

package complete

import (
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// Arity is how an option takes its value.
type Arity int

// Option arities.
const (
	NoValue       Arity = iota // a switch: --fork
	RequiredValue              // --target PID or --target=PID
	OptionalValue              // --net or --net=FILE (attached only, as getopt's optional arguments)
)

// Action is what a value or argument completes to.
type Action string

// Actions the generated scripts know how to complete; fixed word sets are Words instead.
const (
	ActNone     Action = ""
	ActWords    Action = "words"   // Value.Words
	ActPids     Action = "pids"    // process IDs
	ActNetns    Action = "netns"   // ip netns names, or files
	ActFiles    Action = "files"   // file names
	ActDirs     Action = "dirs"    // directory names
	ActUsers    Action = "users"   // user names
	ActGroups   Action = "groups"  // group names
	ActCommand  Action = "command" // a program name, then its arguments
	ActApplets  Action = "applets" // an applet name, then that applet's arguments (nsbox itself)
	actKinds    Action = "kinds"   // resolved to words through ValueSets
	actColumns  Action = "columns" // resolved to a word list through ValueSets
	actSignals  Action = "signals" // resolved to words through ValueSets
	actValuesEq Action = "values=" // values=A,B,C: resolved to words
)

// Value is what an option's value or a positional argument completes to.
type Value struct {
	Action Action
	Words  []string // for ActWords
	List   bool     // a comma-separated list of Words
	Plus   bool     // the list may start with "+" (lsns -o +COLUMN: append to the defaults)
}

// Option is one command-line option.
type Option struct {
	Long  string // without "--"; "" when the option has only a short form
	Short rune   // 0 when none
	Help  string
	Arity Arity
	// Placeholder names the value ("pid", "file"), for the zsh and fish descriptions.
	Placeholder string
	// AttachedShort: the short form takes an optional value in the same word (-nFILE).
	AttachedShort bool
	Repeatable    bool
	Value         Value
}

// TakesSeparateValue reports whether the word after the option is its value.
func (o Option) TakesSeparateValue() bool { return o.Arity == RequiredValue }

// Applet is the completion model of one command.
type Applet struct {
	Name    string
	Options []Option
	Args    []Value // positional arguments in order; the last one repeats when it is a command
}

// ValueSets resolves the named value sets of the complete tag ("kinds", "columns", "signals")
// to their words. The caller provides them, so that this package needs no applet packages.
type ValueSets map[string][]string

// FromGrammar builds the completion model of an applet from its kong grammar.
func FromGrammar(spec cli.Spec, grammar any, sets ValueSets) (*Applet, error) {
	app, err := cli.Model(spec, grammar)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Name, err)
	}
	a := &Applet{Name: spec.Name}
	for _, group := range app.Node.AllFlags(true) {
		for _, f := range group {
			o, err := optionOf(f, sets)
			if err != nil {
				return nil, fmt.Errorf("%s: --%s: %w", spec.Name, f.Name, err)
			}
			a.Options = append(a.Options, o)
			for _, alias := range f.Aliases { // another long name for the same option
				o.Long, o.Short = alias, 0
				a.Options = append(a.Options, o)
			}
		}
	}
	for _, p := range app.Node.Positional {
		v, err := valueOf(p, p.Tag.Get("placeholder"), sets)
		if err != nil {
			return nil, fmt.Errorf("%s: <%s>: %w", spec.Name, p.Name, err)
		}
		if v.Action == ActNone && p.PassthroughMode != kong.PassThroughModeNone && p.Tag.Get(cli.CompleteTag) == "" {
			v.Action = ActCommand
		}
		a.Args = append(a.Args, v)
	}
	return a, nil
}

func optionOf(f *kong.Flag, sets ValueSets) (Option, error) {
	o := Option{Long: f.Name, Short: f.Short, Help: firstLine(f.Help), Repeatable: f.IsCumulative()}
	optName := f.Tag.Get("optvalue")
	switch {
	case optName != "":
		o.Arity = OptionalValue
		o.AttachedShort = f.Tag.Get("attached") == "short"
	case f.IsBool() || f.IsCounter():
		o.Arity = NoValue
		if f.Tag.Get(cli.CompleteTag) == "" {
			return o, nil
		}
	default:
		o.Arity = RequiredValue
	}
	hint := optName
	if hint == "" {
		hint = f.PlaceHolder
	}
	o.Placeholder = hint
	if o.Placeholder == "" {
		o.Placeholder = strings.ToLower(f.FormatPlaceHolder())
	}
	v, err := valueOf(f.Value, hint, sets)
	if err != nil {
		return o, err
	}
	if o.Arity == NoValue && v.Action != ActNone {
		o.Arity = OptionalValue // a bool-like flag whose tag names values takes them attached
	}
	o.Value = v
	return o, nil
}

// valueOf decides what a value completes to: the complete tag, then an enum (or an
// OptionalValue's choices), then the placeholder's name.
func valueOf(v *kong.Value, hint string, sets ValueSets) (Value, error) {
	list := v.IsSlice() && v.Tag.Sep != -1
	tag := v.Tag.Get(cli.CompleteTag)
	switch {
	case tag != "":
		return fromTag(tag, list, sets)
	case v.Enum != "":
		return Value{Action: ActWords, Words: v.EnumSlice(), List: list}, nil
	case v.Tag.Get(cli.ChoicesTag) != "": // an OptionalValue's enum
		return Value{Action: ActWords, Words: strings.Split(v.Tag.Get(cli.ChoicesTag), ",")}, nil
	}
	if h := strings.ToLower(hint); (h == "signal" || h == "signame") && len(sets["signals"]) > 0 {
		return Value{Action: ActWords, Words: sets["signals"]}, nil
	}
	return Value{Action: fromPlaceholder(hint)}, nil
}

func fromTag(tag string, list bool, sets ValueSets) (Value, error) {
	if rest, ok := strings.CutPrefix(tag, string(actValuesEq)); ok {
		return Value{Action: ActWords, Words: strings.Split(rest, ","), List: list}, nil
	}
	switch Action(tag) {
	case actKinds, actColumns, actSignals:
		words, ok := sets[tag]
		if !ok || len(words) == 0 {
			return Value{}, fmt.Errorf("no value set %q for the %s tag", tag, cli.CompleteTag)
		}
		isColumns := Action(tag) == actColumns
		return Value{Action: ActWords, Words: words, List: list || isColumns, Plus: isColumns}, nil
	case ActPids, ActNetns, ActFiles, ActDirs, ActUsers, ActGroups, ActCommand, ActApplets:
		return Value{Action: Action(tag)}, nil
	case "none":
		return Value{}, nil
	}
	return Value{}, fmt.Errorf("unknown %s tag value %q", cli.CompleteTag, tag)
}

// fromPlaceholder guesses from a placeholder such as "file", "dir" or "pid"; of alternatives
// ("file|name") the first it knows wins.
func fromPlaceholder(hint string) Action {
	for _, h := range strings.Split(strings.ToLower(strings.Trim(hint, "<>")), "|") {
		switch h {
		case "file", "path", "filename":
			return ActFiles
		case "dir", "directory":
			return ActDirs
		case "pid":
			return ActPids
		case "user", "username":
			return ActUsers
		case "group", "groupname":
			return ActGroups
		}
	}
	return ActNone
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// LongNames lists an applet's long options without "--", sorted.
func (a *Applet) LongNames() []string {
	var names []string
	for _, o := range a.Options {
		if o.Long != "" {
			names = append(names, o.Long)
		}
	}
	sort.Strings(names)
	return names
}

// separateValueOptions lists the spellings ("-t", "--target") of the options whose value may
// be the next word, for the scripts to step over it.
func (a *Applet) separateValueOptions() []string {
	var out []string
	for _, o := range a.Options {
		if !o.TakesSeparateValue() {
			continue
		}
		if o.Short != 0 {
			out = append(out, "-"+string(o.Short))
		}
		if o.Long != "" {
			out = append(out, "--"+o.Long)
		}
	}
	return out
}

// funcName is a shell function name for an applet ("pidns-init" -> "_nsbox_pidns_init").
func funcName(name string) string {
	return "_nsbox_" + strings.NewReplacer("-", "_", ".", "_").Replace(name)
}

// header is the comment every generated script starts with: what made it, and not to edit it.
// make uninstall removes a completion file only when it finds this line (the Makefile's COMPMARK).
func header(shell string) string {
	return "# " + shell + " completion for nsbox and its applets. Generated by `nsbox --completion=" + shell + "`\n" +
		"# from the applets' grammars: do not edit.\n\n"
}
