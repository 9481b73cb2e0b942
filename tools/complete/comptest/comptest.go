//go:build linux

package comptest

import (
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// bashWords splits a command line as bash does for COMP_WORDS: at blanks, and around runs of
// the COMP_WORDBREAKS characters = and :.
func bashWords(line string) []string {
	var words []string
	for _, field := range strings.Fields(line) {
		start := 0
		for i := 0; i < len(field); {
			if !strings.ContainsRune("=:", rune(field[i])) {
				i++
				continue
			}
			if i > start {
				words = append(words, field[start:i])
			}
			j := i
			for j < len(field) && strings.ContainsRune("=:", rune(field[j])) {
				j++
			}
			words = append(words, field[i:j])
			start, i = j, j
		}
		if start < len(field) {
			words = append(words, field[start:])
		}
	}
	if line == "" || strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	return words
}

// Bash runs the bash completion function of the command in line (completing at its
// end) as bash's programmable completion would, and returns COMPREPLY.
func Bash(t *testing.T, script, line string, preamble string) []string {
	t.Helper()
	reply, _ := BashOptions(t, script, line, preamble)
	return reply
}

// BashOptions is Bash that also returns the options the completion function set with compopt
// (such as "-o nospace": no space after the word, so that a value can be attached to it).
func BashOptions(t *testing.T, script, line string, preamble string) (reply, options []string) {
	t.Helper()
	nstest.RequireTool(t, "/bin/bash")
	words := bashWords(line)
	prog := `source "$1" || exit 3
` + preamble + `
COMP_LINE=$2 COMP_POINT=${#2} COMP_CWORD=$3 COMP_WORDS=("${@:4}")
spec=$(complete -p -- "${COMP_WORDS[0]}") || exit 4
fn=${spec#*-F } fn=${fn%% *}
compopt() { __compopt+=("$*"); } # the builtin works only while bash itself completes
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
((${#__compopt[@]})) && printf 'compopt %s\n' "${__compopt[@]}"
printf '%s\n' "${COMPREPLY[@]}"`
	args := append([]string{"--norc", "--noprofile", "-c", prog, "bash", script, line, strconv.Itoa(len(words) - 1)}, words...)
	res := nstest.Run(t, 60*time.Second, exec.Command("/bin/bash", args...))
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("bash completion of %q: exit %d, stderr %q", line, res.Code, res.Stderr)
	}
	for _, l := range lines(res.Stdout) {
		if o, ok := strings.CutPrefix(l, "compopt "); ok {
			options = append(options, o)
		} else {
			reply = append(reply, l)
		}
	}
	return reply, options
}

// lines is the non-empty lines of s, sorted.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// Fish sources script in a fish without configuration and returns `complete -C LINE`: the
// candidates for the end of line, without their descriptions.
func Fish(t *testing.T, script, line string) []string {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/fish")
	cmd := exec.Command("/usr/bin/fish", "--no-config", "-c", `source $argv[1]; or exit 3; complete -C $argv[2]`, script, line)
	res := nstest.Run(t, 60*time.Second, cmd)
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("fish completion of %q: exit %d, stderr %q", line, res.Code, res.Stderr)
	}
	var out []string
	for _, l := range lines(res.Stdout) {
		word, _, _ := strings.Cut(l, "\t")
		out = append(out, word)
	}
	slices.Sort(out)
	return out
}

// zshDrive runs an interactive zsh on a pseudo-terminal (zsh/zpty): it runs $1 (before
// compinit), loads compsys, runs $2 (after it) and the hooks $3, types $4, and prints all the
// terminal showed once the marker $5 is in it.
const zshDrive = `zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= PS2= ; $1; autoload -Uz compinit && compinit -u -D && $2 && bindkey '^I' complete-word"
zpty -w z "$3"
zpty -w -n z "$4"
local all= chunk
integer i=0
while (( i++ < 1200 )); do
  if zpty -r -t z chunk; then all+=$chunk; [[ $all == *"$5"* ]] && break; else sleep 0.05; fi
done
zpty -d z
[[ $all == *"$5"* ]] || exit 4
print -rn -- "$all"
`

// zshRun drives an interactive zsh as zshDrive says and returns what the terminal showed
// after the marker's first half (which the hooks print split, so that their echo does not
// match).
func zshRun(t *testing.T, pre, post, hooks, keys, marker string) string {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/zsh")
	cmd := exec.Command("/usr/bin/zsh", "-f", "-c", zshDrive, "zsh", pre, post, hooks, keys, marker)
	res := nstest.Run(t, 90*time.Second, cmd)
	if res.Code != 0 {
		t.Fatalf("zsh completion of %q: exit %d, stderr %q", keys, res.Code, res.Stderr)
	}
	return res.Stdout
}

// zshMatches wraps compadd to print every match it is given as <<MATCH>>, and exits from a
// comppostfuncs hook once completion is done.
const zshMatches = `compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local r=$? h; for h in $__hits; do print -r -- "<""<$h>"">"; done; return r }
comppostfuncs=( __done ); __done() { print -r -- "@@DONE""@@"; exit }`

var zshMatch = regexp.MustCompile(`<<(.*)>>`)

// Zsh completes LINE with the script loaded into compsys in an interactive zsh on a
// pseudo-terminal, and returns the matches offered.
func Zsh(t *testing.T, script, line string) []string {
	t.Helper()
	return ZshWith(t, ":", "source "+shellQuote(script), line)
}

// ZshWith completes LINE in an interactive zsh on a pseudo-terminal after running pre (before
// compinit: fpath=(...)) and post (after it), and returns the matches offered.
func ZshWith(t *testing.T, pre, post, line string) []string {
	t.Helper()
	var matches []string
	for _, m := range zshMatch.FindAllStringSubmatch(zshRun(t, pre, post, zshMatches, line+"\t", "@@DONE@@"), -1) {
		matches = append(matches, m[1])
	}
	slices.Sort(matches)
	return slices.Compact(matches)
}

// ZshLine types LINE and TAB in an interactive zsh with the script loaded into compsys, and
// returns the command line as completion left it ("lsns --tree=" after "lsns --tr").
func ZshLine(t *testing.T, script, line string) string {
	t.Helper()
	show := `__show() { print -r -- "@@LINE""<$BUFFER>@@END""@@"; exit }; zle -N __show; bindkey "^X" __show`
	out := zshRun(t, ":", "source "+shellQuote(script), show, line+"\t\x18", "@@END@@")
	_, out, _ = strings.Cut(out, "@@LINE<")
	out, _, _ = strings.Cut(out, ">@@END@@")
	return out
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
