package lsns

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file is -Q/--filter: libsmartcols' filter language. An expression compares column
// values (NAME), numbers (42, 1.5), strings ("x" or 'x') and true/false with == != < <= > >=
// (or eq ne lt le gt ge), regular expressions with =~ and !~, and combines them with
// and/&&, or/||, not/! and parentheses. As in libsmartcols, `and` and `or` have the same
// precedence and group from the left; comparisons bind tighter.

type tokKind int

const (
	tokEOF tokKind = iota
	tokName
	tokNumber
	tokFloat
	tokString
	tokTrue
	tokFalse
	tokAnd
	tokOr
	tokNot
	tokOp // comparison or regex operator; text holds its canonical spelling
	tokLParen
	tokRParen
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the expression, for messages
}

var wordTokens = map[string]token{
	"and": {kind: tokAnd}, "AND": {kind: tokAnd}, "or": {kind: tokOr}, "OR": {kind: tokOr},
	"not": {kind: tokNot}, "NOT": {kind: tokNot}, "true": {kind: tokTrue}, "TRUE": {kind: tokTrue},
	"false": {kind: tokFalse}, "FALSE": {kind: tokFalse},
	"eq": {kind: tokOp, text: "=="}, "ne": {kind: tokOp, text: "!="}, "lt": {kind: tokOp, text: "<"},
	"le": {kind: tokOp, text: "<="}, "gt": {kind: tokOp, text: ">"}, "ge": {kind: tokOp, text: ">="},
}

// filterError is a parse error pointing at the offending token.
type filterError struct {
	src string
	pos int
	msg string
}

func (e *filterError) Error() string {
	return fmt.Sprintf("failed to parse %q: %s at position %d: %s", e.src, e.msg, e.pos+1, caret(e.src, e.pos))
}

// caret shows the expression with the bad token marked.
func caret(expr string, pos int) string {
	if pos >= len(expr) {
		return expr + " <-- here"
	}
	return expr[:pos] + ">>" + expr[pos:]
}

func lex(expr string) ([]token, error) {
	var out []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(':
			out = append(out, token{kind: tokLParen, text: "(", pos: i})
			i++
		case c == ')':
			out = append(out, token{kind: tokRParen, text: ")", pos: i})
			i++
		case c == '"' || c == '\'':
			end := strings.IndexByte(expr[i+1:], c)
			if end < 0 || strings.ContainsRune(expr[i+1:i+1+end], '\n') {
				return nil, &filterError{expr, i, "unterminated string"}
			}
			out = append(out, token{kind: tokString, text: expr[i+1 : i+1+end], pos: i})
			i += end + 2
		case c >= '0' && c <= '9':
			j := i
			for j < len(expr) && expr[j] >= '0' && expr[j] <= '9' {
				j++
			}
			kind := tokNumber
			if j+1 < len(expr) && expr[j] == '.' && expr[j+1] >= '0' && expr[j+1] <= '9' {
				kind = tokFloat
				j++
				for j < len(expr) && expr[j] >= '0' && expr[j] <= '9' {
					j++
				}
			}
			out = append(out, token{kind: kind, text: expr[i:j], pos: i})
			i = j
		case isLetter(c):
			j := i + 1
			for j < len(expr) && (isLetter(expr[j]) || expr[j] == '_' || (expr[j] >= '0' && expr[j] <= '9')) {
				j++
			}
			word := expr[i:j]
			if t, ok := wordTokens[word]; ok {
				t.pos = i
				if t.text == "" {
					t.text = word
				}
				out = append(out, t)
			} else {
				out = append(out, token{kind: tokName, text: word, pos: i})
			}
			i = j
		default:
			t, n := symbolToken(expr[i:])
			if n == 0 {
				return nil, &filterError{expr, i, fmt.Sprintf("unexpected character %q", c)}
			}
			t.pos = i
			out = append(out, t)
			i += n
		}
	}
	return append(out, token{kind: tokEOF, text: "end of expression", pos: len(expr)}), nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func symbolToken(s string) (token, int) {
	for _, op := range []string{"&&", "||", "==", "!=", "<=", ">=", "=~", "!~"} {
		if strings.HasPrefix(s, op) {
			switch op {
			case "&&":
				return token{kind: tokAnd, text: op}, 2
			case "||":
				return token{kind: tokOr, text: op}, 2
			}
			return token{kind: tokOp, text: op}, 2
		}
	}
	switch s[0] {
	case '<', '>':
		return token{kind: tokOp, text: s[:1]}, 1
	case '!':
		return token{kind: tokNot, text: "!"}, 1
	}
	return token{}, 0
}

// node is a parsed filter expression.
type node struct {
	op          string // "and", "or", "not", a comparison, or "" for a leaf
	left, right *node
	leaf        token          // for leaves
	re          *regexp.Regexp // compiled right side of =~ and !~
}

// filter is a parsed -Q expression.
type filter struct {
	root  *node
	names []string // the column names it uses, in order of appearance
}

// parseFilter parses expr.
func parseFilter(expr string) (*filter, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{src: expr, toks: toks}
	root, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	f := &filter{root: root}
	var collect func(n *node)
	collect = func(n *node) {
		if n == nil {
			return
		}
		if n.op == "" && n.leaf.kind == tokName {
			f.names = append(f.names, n.leaf.text)
		}
		collect(n.left)
		collect(n.right)
	}
	collect(root)
	return f, nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) unexpected(t token) error {
	return &filterError{p.src, t.pos, "syntax error, unexpected " + describe(t)}
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	case tokName:
		return "name " + t.text
	}
	return "'" + t.text + "'"
}

// expr: cmp { (and|or) cmp } — and/or share one precedence, left to right.
func (p *parser) parseExpr() (*node, error) {
	left, err := p.comparison()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokAnd && t.kind != tokOr {
			return left, nil
		}
		p.next()
		right, err := p.comparison()
		if err != nil {
			return nil, err
		}
		op := "and"
		if t.kind == tokOr {
			op = "or"
		}
		left = &node{op: op, left: left, right: right}
	}
}

// comparison: unary { op unary }, left to right.
func (p *parser) comparison() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokOp {
		op := p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		n := &node{op: op.text, left: left, right: right}
		if op.text == "=~" || op.text == "!~" {
			if right.op != "" {
				return nil, &filterError{p.src, op.pos, "the right side of " + op.text + " must be a value"}
			}
			re, err := regexp.Compile(right.leaf.text)
			if err != nil {
				return nil, &filterError{p.src, right.leaf.pos, "bad regular expression: " + err.Error()}
			}
			n.re = re
		}
		left = n
	}
	return left, nil
}

// unary: not unary | primary.
func (p *parser) unary() (*node, error) {
	if p.peek().kind == tokNot {
		p.next()
		operand, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: "not", right: operand}, nil
	}
	return p.primary()
}

// primary: value | ( expr ).
func (p *parser) primary() (*node, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		n, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, p.unexpected(c)
		}
		return n, nil
	case tokName, tokNumber, tokFloat, tokString, tokTrue, tokFalse:
		return &node{leaf: t}, nil
	}
	return nil, p.unexpected(t)
}

// value is a leaf evaluated for one row.
type value struct {
	kind  tokKind // tokString, tokNumber, tokFloat or tokTrue (boolean)
	str   string
	num   uint64
	fnum  float64
	b     bool
	empty bool
}

// lookup gives a column's cell text and whether the column is numeric.
type lookup func(name string) (text string, numeric bool)

// match evaluates the filter for one row.
func (f *filter) match(get lookup) bool {
	return evalBool(f.root, get)
}

func evalBool(n *node, get lookup) bool {
	switch n.op {
	case "and":
		return evalBool(n.left, get) && evalBool(n.right, get)
	case "or":
		return evalBool(n.left, get) || evalBool(n.right, get)
	case "not":
		return !evalBool(n.right, get)
	case "":
		return toBool(leafValue(n.leaf, get))
	}
	return compare(n, get)
}

func leafValue(t token, get lookup) value {
	switch t.kind {
	case tokName:
		text, numeric := get(t.text)
		if numeric {
			v, err := strconv.ParseUint(text, 10, 64)
			return value{kind: tokNumber, num: v, empty: text == "" || err != nil}
		}
		return value{kind: tokString, str: text, empty: text == ""}
	case tokNumber:
		v, _ := strconv.ParseUint(t.text, 10, 64)
		return value{kind: tokNumber, num: v}
	case tokFloat:
		v, _ := strconv.ParseFloat(t.text, 64)
		return value{kind: tokFloat, fnum: v}
	case tokTrue, tokFalse:
		return value{kind: tokTrue, b: t.kind == tokTrue}
	}
	return value{kind: tokString, str: t.text}
}

func nodeValue(n *node, get lookup) value {
	if n.op == "" {
		return leafValue(n.leaf, get)
	}
	return value{kind: tokTrue, b: evalBool(n, get)}
}

func toBool(v value) bool {
	switch v.kind {
	case tokNumber:
		return !v.empty && v.num > 0
	case tokFloat:
		return v.fnum > 0
	case tokTrue:
		return v.b
	}
	s := strings.ToLower(v.str)
	return s == "1" || s == "true" || strings.HasPrefix(s, "y")
}

// rank orders value kinds for casting: both sides are compared as the higher kind.
func rank(k tokKind) int {
	switch k {
	case tokTrue:
		return 1
	case tokNumber:
		return 2
	case tokFloat:
		return 3
	}
	return 0
}

func compare(n *node, get lookup) bool {
	l := nodeValue(n.left, get)
	if n.re != nil {
		matched := n.re.MatchString(asString(l))
		return matched == (n.op == "=~")
	}
	r := nodeValue(n.right, get)
	if l.kind == tokString && r.kind == tokString {
		return order(n.op, strings.Compare(l.str, r.str))
	}
	if l.empty || r.empty {
		return false
	}
	kind := l.kind
	if rank(r.kind) > rank(kind) {
		kind = r.kind
	}
	switch kind {
	case tokFloat:
		a, okA := asFloat(l)
		b, okB := asFloat(r)
		return okA && okB && order(n.op, cmp.Compare(a, b))
	case tokNumber:
		a, okA := asUint(l)
		b, okB := asUint(r)
		return okA && okB && order(n.op, cmp.Compare(a, b))
	default:
		a, b := toBool(l), toBool(r)
		return order(n.op, cmp.Compare(b2u(a), b2u(b)))
	}
}

func order(op string, c int) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func asString(v value) string {
	switch v.kind {
	case tokNumber:
		if v.empty {
			return ""
		}
		return strconv.FormatUint(v.num, 10)
	case tokFloat:
		return strconv.FormatFloat(v.fnum, 'g', -1, 64)
	case tokTrue:
		return strconv.FormatBool(v.b)
	}
	return v.str
}

func asUint(v value) (uint64, bool) {
	switch v.kind {
	case tokNumber:
		return v.num, true
	case tokFloat:
		return uint64(v.fnum), true
	case tokTrue:
		return b2u(v.b), true
	}
	n, err := strconv.ParseUint(v.str, 10, 64)
	return n, err == nil
}

func asFloat(v value) (float64, bool) {
	switch v.kind {
	case tokNumber:
		return float64(v.num), true
	case tokFloat:
		return v.fnum, true
	case tokTrue:
		return float64(b2u(v.b)), true
	}
	n, err := strconv.ParseFloat(v.str, 64)
	return n, err == nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
