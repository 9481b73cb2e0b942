//go:build linux

package complete

import (
	"fmt"
	"io"
	"strings"
)

// bashEngine is the part of the bash script every applet shares. Each applet's function hands
// it the applet's positional-argument and option specs, one string each, fields split by "|":
//
//	argument: LIST|ACTION|WORDS
//	option:   LONG|SHORT|ARITY|LIST|ACTION|WORDS
//
// ARITY is n (no value), r (required: next word or =VALUE), o (optional, only as --long=VALUE)
// or a (optional, also attached to the short form: -nFILE); LIST is 0, 1 (comma-separated) or
// + (comma-separated, may start with "+"); WORDS are space-separated.
const bashEngine = `# __nsbox_words sets words, cword, cur, starts and wpos from COMP_WORDS and COMP_LINE, joining
# the pieces bash splits at COMP_WORDBREAKS, so that --net=FILE is one word as getopt sees it.
__nsbox_words() {
    words=() starts=() wpos=() cword=0
    local line=$COMP_LINE pos=0 i w rest trimmed gap
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        rest=${line:pos}
        trimmed=${rest#"${rest%%[![:space:]]*}"}
        gap=$((${#rest} - ${#trimmed}))
        if ((i > 0 && gap == 0)); then
            words[-1]+=$w
        else
            words+=("$w") starts+=("$i") wpos+=("$((pos + gap))")
        fi
        pos=$((pos + gap + ${#w}))
        ((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
    done
    cur=${words[cword]}
}

# __nsbox_find long|short NAME sets the array f to the fields of that option's spec; a long
# NAME may be a unique prefix, as getopt_long allows.
__nsbox_find() {
    local s hit= n=0 long short
    for s in "${optspecs[@]}"; do
        long=${s%%|*} short=${s#*|} short=${short%%|*}
        case $1 in
        long)
            [[ -n $2 && $long == "$2"* ]] || continue
            if [[ $long == "$2" ]]; then
                hit=$s n=1
                break
            fi
            hit=$s n=$((n + 1)) ;;
        short)
            [[ $short == "$2" ]] || continue
            hit=$s n=1
            break ;;
        esac
    done
    ((n == 1)) || return 1
    IFS='|' read -r -a f <<<"$hit"
}

# __nsbox_arg sets the array a to the fields of the spec of positional argument $arg (the last
# one repeats) and succeeds when that argument is a program or an applet, which ends options.
__nsbox_arg() {
    a=()
    ((nargs > 0)) || return 1
    IFS='|' read -r -a a <<<"${argspecs[arg < nargs ? arg : nargs - 1]}"
    [[ ${a[1]} == command || ${a[1]} == applets ]]
}

# __nsbox_reply sets COMPREPLY to the candidates, each a whole word that starts as cur does,
# less what bash keeps before the last COMP_WORDBREAKS character (the "--net=" of --net=FILE).
__nsbox_reply() {
    local k c
    for ((k = ${#cur} - 1; k >= 0; k--)); do
        [[ $COMP_WORDBREAKS == *"${cur:k:1}"* ]] && break
    done
    COMPREPLY=()
    for c; do
        COMPREPLY+=("${c:k+1}")
    done
}

# __nsbox_value PREFIX VALUE LIST ACTION WORDS completes an option's value or an argument.
__nsbox_value() {
    local pre=$1 val=$2 list=$3 action=$4 w head= tail
    local -a cands=()
    case $action in
    words)
        tail=$val
        if [[ $list != 0 ]]; then
            [[ $list == + && $tail == +* ]] && head=+ tail=${tail#+}
            [[ $tail == *,* ]] && head+=${tail%,*}, tail=${tail##*,}
        fi
        for w in $5; do
            if [[ $w == "$tail"* ]] || [[ $list != 0 && ${w^^} == "${tail^^}"* ]]; then
                cands+=("$head$w")
            fi
        done ;;
    pids)
        for w in /proc/[0-9]*; do
            [[ ${w#/proc/} == "$val"* ]] && cands+=("${w#/proc/}")
        done ;;
    netns)
        if [[ $val == */* ]]; then
            compopt -o filenames 2>/dev/null
            mapfile -t cands < <(compgen -f -- "$val")
        else
            for w in /run/netns/*; do
                [[ -e $w && ${w#/run/netns/} == "$val"* ]] && cands+=("${w#/run/netns/}")
            done
        fi ;;
    files)
        compopt -o filenames 2>/dev/null
        mapfile -t cands < <(compgen -f -- "$val") ;;
    dirs)
        compopt -o filenames 2>/dev/null
        mapfile -t cands < <(compgen -d -- "$val") ;;
    users) mapfile -t cands < <(compgen -u -- "$val") ;;
    groups) mapfile -t cands < <(compgen -g -- "$val") ;;
    esac
    __nsbox_reply "${cands[@]/#/$pre}"
}

# __nsbox_program I completes words[I] and on as a program and its arguments: its name, then
# its own completion (bash-completion's _command_offset when loaded, else file names).
__nsbox_program() {
    if (($1 == cword)); then
        local -a cands
        mapfile -t cands < <(compgen -c -- "$cur" | sort -u)
        __nsbox_reply "${cands[@]}"
    elif declare -F _command_offset >/dev/null; then
        _command_offset "${starts[$1]}"
    else
        __nsbox_value "" "$cur" 0 files ""
    fi
}

# __nsbox_applet I completes words[I] and on as an nsbox applet and its arguments.
__nsbox_applet() {
    if (($1 == cword)); then
        __nsbox_value "" "$cur" 0 words "$2"
        return
    fi
    local fn=_nsbox_${words[$1]//-/_} cut=${wpos[$1]} off=${starts[$1]}
    [[ " $2 " == *" ${words[$1]} "* ]] && declare -F "$fn" >/dev/null || return 0
    local COMP_LINE=${COMP_LINE:cut} COMP_POINT=$((COMP_POINT - cut))
    local COMP_WORDS=("${COMP_WORDS[@]:off}") COMP_CWORD=$((COMP_CWORD - off))
    "$fn"
}

# __nsbox_complete NARGS ARGSPEC... OPTSPEC... completes the current word of an applet.
__nsbox_complete() {
    local nargs=$1
    shift
    local -a argspecs=("${@:1:nargs}") optspecs=("${@:nargs+1}")
    local -a words starts wpos f a pend
    local cword cur i j w pending= prog= arg=0
    __nsbox_words
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ -n $pending ]]; then
            pending=
            continue
        fi
        case $w in
        --)
            if __nsbox_arg; then
                prog=$((i + 1))
                break
            fi ;;
        --*=*) ;;
        --?*) __nsbox_find long "${w#--}" && [[ ${f[2]} == r ]] && pending=1 pend=("${f[@]}") ;;
        -?*)
            for ((j = 1; j < ${#w}; j++)); do
                __nsbox_find short "${w:j:1}" || continue
                [[ ${f[2]} == r || ${f[2]} == a ]] || continue
                [[ ${f[2]} == r ]] && ((j == ${#w} - 1)) && pending=1 pend=("${f[@]}")
                break
            done ;;
        *)
            if __nsbox_arg; then
                prog=$i
                break
            fi
            arg=$((arg + 1)) ;;
        esac
    done
    if [[ -n $prog ]]; then
        if [[ ${a[1]} == applets ]]; then
            __nsbox_applet "$prog" "${a[2]}"
        else
            __nsbox_program "$prog"
        fi
    elif [[ -n $pending ]]; then
        __nsbox_value "" "$cur" "${pend[3]}" "${pend[4]}" "${pend[5]}"
    elif [[ $cur == --*=* ]]; then
        w=${cur%%=*}
        __nsbox_find long "${w#--}" && [[ ${f[2]} != n ]] || return 0
        __nsbox_value "$w=" "${cur#*=}" "${f[3]}" "${f[4]}" "${f[5]}"
    elif [[ $cur == -* ]]; then
        local -a cands=()
        for w in "${optspecs[@]}"; do
            IFS='|' read -r -a f <<<"$w"
            if [[ -n ${f[0]} ]]; then
                if [[ --${f[0]} == "$cur"* ]]; then
                    cands+=("--${f[0]}")
                    # An optional value is only ever attached: --net alone, or --net= and the value.
                    [[ ${f[2]} == [oa] ]] && cands+=("--${f[0]}=")
                fi
                [[ -n ${f[1]} && -${f[1]} == "$cur" ]] && cands+=("$cur")
            elif [[ -${f[1]} == "$cur"* ]]; then
                cands+=("-${f[1]}")
            fi
        done
        # The whole name of one such option: it is complete, and bash adds the space after it
        # (typing "=" still attaches a value).
        ((${#cands[@]} == 2)) && [[ ${cands[0]} == "$cur" && ${cands[1]} == "$cur=" ]] && cands=("$cur")
        __nsbox_reply "${cands[@]}"
    elif __nsbox_arg; then
        if [[ ${a[1]} == applets ]]; then
            __nsbox_applet "$cword" "${a[2]}"
        else
            __nsbox_program "$cword"
        fi
    elif ((nargs > 0)); then
        __nsbox_value "" "$cur" "${a[0]}" "${a[1]}" "${a[2]}"
    fi
}
`

// Bash writes a bash completion script for the applets (and nsbox, the first, when its
// positional argument is tagged `complete:"applets"`): one function per command, registered
// with `complete -F`.
func Bash(w io.Writer, applets []*Applet) error {
	var b strings.Builder
	b.WriteString(header("bash"))
	b.WriteString(bashEngine)
	names := appletNames(applets)
	for _, a := range applets {
		fmt.Fprintf(&b, "\n%s() {\n    __nsbox_complete %d", funcName(a.Name), len(a.Args))
		for _, v := range a.Args {
			fmt.Fprintf(&b, " \\\n        %s", shellQuote(bashValueSpec(v, names)))
		}
		for _, o := range a.Options {
			fmt.Fprintf(&b, " \\\n        %s", shellQuote(bashOptionSpec(o, names)))
		}
		fmt.Fprintf(&b, "\n}\ncomplete -F %s %s\n", funcName(a.Name), a.Name)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func bashValueSpec(v Value, applets []string) string {
	list := "0"
	switch {
	case v.List && v.Plus:
		list = "+"
	case v.List:
		list = "1"
	}
	words := v.Words
	if v.Action == ActApplets {
		words = applets
	}
	action := string(v.Action)
	if action == "" {
		action = "none"
	}
	return list + "|" + action + "|" + strings.Join(words, " ")
}

func bashOptionSpec(o Option, applets []string) string {
	arity := "n"
	switch {
	case o.Arity == RequiredValue:
		arity = "r"
	case o.Arity == OptionalValue && o.AttachedShort:
		arity = "a"
	case o.Arity == OptionalValue:
		arity = "o"
	}
	short := ""
	if o.Short != 0 {
		short = string(o.Short)
	}
	return o.Long + "|" + short + "|" + arity + "|" + bashValueSpec(o.Value, applets)
}

// appletNames lists the applets other than those whose argument is an applet (nsbox itself).
func appletNames(applets []*Applet) []string {
	var names []string
	for _, a := range applets {
		if !a.dispatches() {
			names = append(names, a.Name)
		}
	}
	return names
}

// dispatches reports whether the applet runs other applets (nsbox APPLET ...).
func (a *Applet) dispatches() bool {
	for _, v := range a.Args {
		if v.Action == ActApplets {
			return true
		}
	}
	return false
}

// shellQuote quotes s for sh, bash, zsh and fish alike.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
