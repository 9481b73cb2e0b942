package scols

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// This file is lsns -Q/--filter: libsmartcols' filter language, read and evaluated as libsmartcols
// 2.42 does. An expression compares column values (NAME), numbers (42, 1.5, 4K), strings ("x"
// or 'x') and true/false with == != < <= > >= (or eq ne lt le gt ge), regular expressions with
// =~ and !~, and combines them with and/&&, or/||, not/! and parentheses. `and` and `or` share
// the lowest precedence, the comparisons and `not` the next; all group from the left, so
// `not A == B` is `(not A) == B`. Syntax errors are worded as libsmartcols' bison parser words
// them, and characters its scanner has no rule for are skipped and echoed on stdout, as
// util-linux does.

type tokKind int

const (
	tokEOF tokKind = iota
	tokLParen
	tokRParen
	tokQuote // a lone ' (no closing quote): a token the grammar does not know
	tokAnd
	tokOr
	tokNot
	tokOp // comparison or regex operator; text holds its canonical spelling
	tokTrue
	tokFalse
	tokFloat
	tokNumber
	tokInvalidNumber
	tokName
	tokString
)

// bisonNames are the tokens as bison names them in its messages ("T_" is dropped once, later).
var bisonNames = map[tokKind]string{
	tokEOF: "end of file", tokLParen: "'('", tokRParen: "')'", tokQuote: "invalid token",
	tokAnd: "T_AND", tokOr: "T_OR", tokNot: "T_NEG", tokTrue: "T_TRUE", tokFalse: "T_FALSE",
	tokFloat: "T_FLOAT", tokNumber: "T_NUMBER", tokInvalidNumber: "T_INVALID_NUMBER",
	tokName: "T_HOLDER", tokString: "T_STRING",
}

var opNames = map[string]string{
	"==": "T_EQ", "!=": "T_NE", "<": "T_LT", "<=": "T_LE", ">": "T_GT", ">=": "T_GE", "=~": "T_REG", "!~": "T_NREG",
}

type token struct {
	kind tokKind
	text string // the operator's canonical spelling, the name, the string (unquoted) or number
	num  uint64
	fnum float64
}

func (t token) bisonName() string {
	if t.kind == tokOp {
		return opNames[t.text]
	}
	return bisonNames[t.kind]
}

// words are the scanner's keywords (only these spellings; "And" is a column name).
var words = map[string]token{
	"and": {kind: tokAnd}, "AND": {kind: tokAnd}, "or": {kind: tokOr}, "OR": {kind: tokOr},
	"not": {kind: tokNot}, "NOT": {kind: tokNot}, "true": {kind: tokTrue}, "TRUE": {kind: tokTrue},
	"false": {kind: tokFalse}, "FALSE": {kind: tokFalse},
	"eq": {kind: tokOp, text: "=="}, "EQ": {kind: tokOp, text: "=="}, "ne": {kind: tokOp, text: "!="},
	"NE": {kind: tokOp, text: "!="}, "lt": {kind: tokOp, text: "<"}, "LT": {kind: tokOp, text: "<"},
	"le": {kind: tokOp, text: "<="}, "LE": {kind: tokOp, text: "<="}, "gt": {kind: tokOp, text: ">"},
	"GT": {kind: tokOp, text: ">"}, "ge": {kind: tokOp, text: ">="}, "GE": {kind: tokOp, text: ">="},
}

// symbols are the operators spelled with symbols, longest first.
var symbols = []struct {
	text string
	tok  token
}{
	{"&&", token{kind: tokAnd}}, {"||", token{kind: tokOr}}, {"==", token{kind: tokOp, text: "=="}},
	{"!=", token{kind: tokOp, text: "!="}}, {"<=", token{kind: tokOp, text: "<="}},
	{">=", token{kind: tokOp, text: ">="}}, {"=~", token{kind: tokOp, text: "=~"}},
	{"!~", token{kind: tokOp, text: "!~"}}, {"<", token{kind: tokOp, text: "<"}},
	{">", token{kind: tokOp, text: ">"}}, {"!", token{kind: tokNot}},
	{"(", token{kind: tokLParen}}, {")", token{kind: tokRParen}},
}

// filterError is a filter that does not parse; the message is libsmartcols'.
type filterError struct {
	src string
	msg string
}

func (e *filterError) Error() string { return fmt.Sprintf(`failed to parse "%s": %s`, e.src, e.msg) }

// scanner splits an expression into tokens as libsmartcols' flex scanner does: the longest
// match wins, keywords before names on a tie.
type scanner struct {
	src  string
	i    int
	echo []byte // characters no rule matches, which flex's default rule copies to stdout
	err  string // a number token's error, as the scanner reports it
}

// cSpace is what C's isspace() accepts, which libsmartcols trims from strings.
const cSpace = " \t\n\v\f\r"

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// isNameByte is what may follow a name's first letter.
func isNameByte(c byte) bool {
	return isLetter(c) || isDigit(c) || strings.IndexByte("_.%:/-", c) >= 0
}

func (s *scanner) next() token {
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			s.i++
		case isDigit(c):
			return s.number()
		case isLetter(c):
			j := s.i + 1
			for j < len(s.src) && isNameByte(s.src[j]) {
				j++
			}
			word := s.src[s.i:j]
			s.i = j
			if t, ok := words[word]; ok {
				return t
			}
			return token{kind: tokName, text: word}
		case c == '"' || c == '\'':
			if end := strings.IndexAny(s.src[s.i+1:], string(c)+"\n"); end >= 0 && s.src[s.i+1+end] == c {
				t := token{kind: tokString, text: strings.Trim(s.src[s.i+1:s.i+1+end], cSpace)}
				s.i += end + 2
				return t
			}
			s.i++
			if c == '\'' {
				return token{kind: tokQuote}
			}
			s.echo = append(s.echo, c)
		default:
			matched := false
			for _, sym := range symbols {
				if strings.HasPrefix(s.src[s.i:], sym.text) {
					s.i += len(sym.text)
					return sym.tok
				}
			}
			if !matched {
				s.echo = append(s.echo, c)
				s.i++
			}
		}
	}
	return token{kind: tokEOF}
}

// number scans 12, 1.5 or a size such as 4K or 2MiB.
func (s *scanner) number() token {
	start, j := s.i, s.i
	for j < len(s.src) && isDigit(s.src[j]) {
		j++
	}
	digits := s.src[s.i:j]
	if j+1 < len(s.src) && s.src[j] == '.' && isDigit(s.src[j+1]) {
		k := j + 1
		for k < len(s.src) && isDigit(s.src[k]) {
			k++
		}
		f, _ := strconv.ParseFloat(s.src[s.i:k], 64)
		s.i = k
		return token{kind: tokFloat, fnum: f, text: s.src[start:k]}
	}
	if j < len(s.src) {
		if exp := strings.IndexByte("KMGTPEZY", s.src[j]); exp >= 0 {
			end := j + 1
			if strings.HasPrefix(s.src[end:], "iB") {
				end += 2
			}
			text := s.src[s.i:end]
			s.i = end
			n, err := strconv.ParseUint(digits, 10, 64)
			v := new(big).mul(n, exp+1)
			if err != nil || v.overflow {
				s.err = fmt.Sprintf(`"%s" token error: Numerical result out of range`, text)
				return token{kind: tokInvalidNumber, text: text}
			}
			return token{kind: tokNumber, num: v.n, text: text}
		}
	}
	s.i = j
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		n = math.MaxUint64 // strtoumax saturates
	}
	return token{kind: tokNumber, num: n, text: digits}
}

// big multiplies by powers of 1024 and notes overflow.
type big struct {
	n        uint64
	overflow bool
}

func (b *big) mul(n uint64, times int) *big {
	b.n = n
	for ; times > 0; times-- {
		if b.n > math.MaxUint64/1024 {
			b.overflow = true
			return b
		}
		b.n *= 1024
	}
	return b
}

// node is a parsed filter expression.
type node struct {
	op          string // "and", "or", "not", a comparison, or "" for a leaf
	left, right *node
	leaf        token          // for leaves
	re          *regexp.Regexp // compiled right side of =~ and !~
}

// Filter is a parsed filter expression (lsns -Q).
type Filter struct {
	root  *node
	Names []string // the column names it uses, in order of first appearance
	Echo  []byte   // what util-linux's scanner writes to stdout while reading it
}

// ParseFilter parses expr. Even when it fails, the returned filter holds what util-linux
// would have echoed on stdout.
func ParseFilter(expr string) (*Filter, error) {
	p := &parser{sc: scanner{src: expr}}
	p.advance()
	f := &Filter{}
	root, err := p.parseExpr(0)
	if err == nil && p.tok.kind != tokEOF {
		// At the top, the parser has reduced a whole filter: only the end may follow.
		err = p.syntaxError(", expecting end of file")
	}
	// The parser stops at the first error: what is echoed is what was scanned up to there.
	f.Echo = p.sc.echo
	if err != nil {
		return f, &filterError{src: expr, msg: err.Error()}
	}
	f.root = root
	var collect func(n *node)
	collect = func(n *node) {
		if n == nil {
			return
		}
		if n.op == "" && n.leaf.kind == tokName {
			seen := false
			for _, name := range f.Names {
				seen = seen || name == n.leaf.text
			}
			if !seen {
				f.Names = append(f.Names, n.leaf.text)
			}
		}
		collect(n.left)
		collect(n.right)
	}
	collect(root)
	return f, nil
}

type parser struct {
	sc  scanner
	tok token
}

func (p *parser) advance() { p.tok = p.sc.next() }

// syntaxError is bison's verbose message for the current token, with the first "T_" of it
// dropped as libsmartcols does.
func (p *parser) syntaxError(expecting string) error {
	if p.tok.kind == tokInvalidNumber && p.sc.err != "" {
		return errors.New(p.sc.err)
	}
	msg := "syntax error, unexpected " + p.tok.bisonName() + expecting
	return errors.New(strings.Replace(msg, "T_", "", 1))
}

// precedence of the binary operators: and/or 1, comparisons 2.
func precedence(t token) int {
	switch t.kind {
	case tokAnd, tokOr:
		return 1
	case tokOp:
		return 2
	}
	return 0
}

// parseExpr parses an expression whose binary operators bind tighter than level; all group
// from the left.
func (p *parser) parseExpr(level int) (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for prec := precedence(p.tok); prec > level; prec = precedence(p.tok) {
		op := p.tok
		p.advance()
		if regexOp(op) && oneTokenOperand(p.tok.kind) && p.tok.kind != tokString {
			// libsmartcols fails the match as its parser reduces `expr =~ expr`, which needs
			// no token after a one-token operand: the scanner stops there, echoing nothing of
			// what follows (`TYPE=~n*` echoes no "*").
			return nil, errNotRegexString
		}
		right, err := p.parseExpr(prec)
		if err != nil {
			return nil, err
		}
		n := &node{op: op.text, left: left, right: right}
		switch op.kind {
		case tokAnd:
			n.op = "and"
		case tokOr:
			n.op = "or"
		}
		if regexOp(op) {
			if right.op != "" || right.leaf.kind != tokString {
				return nil, errNotRegexString
			}
			re, err := regexp.Compile(right.leaf.text)
			if err != nil {
				return nil, errors.New(regexMessage(err))
			}
			n.re = re
		}
		left = n
	}
	return left, nil
}

// errNotRegexString is a match (=~, !~) against something other than a string: libsmartcols
// has no message for it and prints "(null)".
var errNotRegexString = errors.New("(null)")

// oneTokenOperand reports the tokens that are an operand alone (primary's leaves).
func oneTokenOperand(k tokKind) bool {
	switch k {
	case tokName, tokNumber, tokFloat, tokString, tokTrue, tokFalse:
		return true
	}
	return false
}

// regexOp reports the match operators, =~ and !~.
func regexOp(t token) bool { return t.kind == tokOp && (t.text == "=~" || t.text == "!~") }

// regexMessages are the C library's regerror texts for Go's regular expression errors.
var regexMessages = map[syntax.ErrorCode]string{
	syntax.ErrMissingParen:          "Unmatched ( or \\(",
	syntax.ErrMissingRepeatArgument: "Invalid preceding regular expression",
	syntax.ErrInvalidRepeatSize:     "Invalid content of \\{\\}",
	syntax.ErrInvalidCharClass:      "Invalid character class name",
	syntax.ErrInvalidCharRange:      "Invalid range end",
	syntax.ErrTrailingBackslash:     "Trailing backslash",
}

// regexMessage words a regular expression error as regerror does.
func regexMessage(err error) string {
	var serr *syntax.Error
	if errors.As(err, &serr) {
		if serr.Code == syntax.ErrInvalidCharRange && strings.HasPrefix(serr.Expr, "[:") {
			return "Invalid character class name" // Go words [[:foo:]] as a bad range
		}
		if msg, ok := regexMessages[serr.Code]; ok {
			return msg
		}
	}
	return "Invalid regular expression"
}

// unary: not unary | primary. (`not` binds as tightly as the comparisons, so only to the
// operand right after it.)
func (p *parser) unary() (*node, error) {
	if p.tok.kind == tokNot {
		p.advance()
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
	t := p.tok
	switch t.kind {
	case tokLParen:
		p.advance()
		n, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.syntaxError("")
		}
		p.advance()
		return n, nil
	case tokName, tokNumber, tokFloat, tokString, tokTrue, tokFalse:
		p.advance()
		return &node{leaf: t}, nil
	case tokInvalidNumber:
		return nil, errors.New(p.sc.err)
	}
	return nil, p.syntaxError("")
}

// dataType is libsmartcols' type of a value.
type dataType int

const (
	typeString dataType = iota
	typeNumber
	typeFloat
	typeBool
)

// value is a leaf evaluated for one row.
type value struct {
	typ   dataType
	str   string
	num   uint64
	fnum  float64
	b     bool
	empty bool // an empty cell: compares false, counts as false
	null  bool // an empty text cell: sorts before every string
}

// Lookup gives a column's cell text and whether the column is numeric.
type Lookup func(name string) (text string, numeric bool)

// errFilterApply is libsmartcols' failure to compare values that do not convert (a name with
// a number): util-linux stops with "failed to apply filter: Invalid argument".
var errFilterApply = errors.New("failed to apply filter: Invalid argument")

// Match evaluates the filter for one row.
func (f *Filter) Match(get Lookup) (bool, error) {
	return evalBool(f.root, get)
}

func evalBool(n *node, get Lookup) (bool, error) {
	switch n.op {
	case "and", "or":
		l, err := evalBool(n.left, get)
		if err != nil || l == (n.op == "or") {
			return l, err
		}
		return evalBool(n.right, get)
	case "not":
		v, err := evalBool(n.right, get)
		return !v, err
	case "":
		v := leafValue(n.leaf, get)
		if v.empty {
			return false, nil
		}
		switch v.typ {
		case typeNumber:
			return v.num != 0, nil
		case typeFloat:
			return v.fnum != 0, nil
		case typeBool:
			return v.b, nil
		}
		return v.str != "", nil
	}
	return compare(n, get)
}

// leafValue is a leaf's value in its own type: a name takes its column's (number for the
// numeric columns, else string).
func leafValue(t token, get Lookup) value {
	switch t.kind {
	case tokName:
		text, numeric := get(t.text)
		if text == "" && numeric {
			return value{typ: typeNumber, empty: true}
		}
		if text == "" {
			return value{typ: typeString, empty: true, null: true}
		}
		text = strings.Trim(text, cSpace)
		if numeric {
			v, err := strconv.ParseUint(text, 10, 64)
			if err == nil {
				return value{typ: typeNumber, num: v}
			}
		}
		return value{typ: typeString, str: text}
	case tokNumber:
		return value{typ: typeNumber, num: t.num}
	case tokFloat:
		return value{typ: typeFloat, fnum: t.fnum}
	case tokTrue, tokFalse:
		return value{typ: typeBool, b: t.kind == tokTrue}
	}
	return value{typ: typeString, str: t.text}
}

// declaredType is a node's type before evaluation: a comparison's is boolean, a name's its
// column's.
func declaredType(n *node, get Lookup) dataType {
	if n.op != "" {
		return typeBool
	}
	if n.leaf.kind == tokName {
		if _, numeric := get(n.leaf.text); numeric {
			return typeNumber
		}
		return typeString
	}
	return leafValue(n.leaf, get).typ
}

// compareType is the type both sides of a comparison are converted to, as libsmartcols
// guesses it: the common type, else that of the side that is not a column name, else the left
// one's; a float wins over a number.
func compareType(n *node, get Lookup) dataType {
	l, r := declaredType(n.left, get), declaredType(n.right, get)
	if l == r {
		return l
	}
	lName := n.left.op == "" && n.left.leaf.kind == tokName
	rName := n.right.op == "" && n.right.leaf.kind == tokName
	typ := l
	if lName && !rName {
		typ = r
	}
	if typ == typeNumber && (l == typeFloat || r == typeFloat) {
		typ = typeFloat
	}
	return typ
}

// nodeAs evaluates a side of a comparison and converts it to typ.
func nodeAs(n *node, typ dataType, get Lookup) (value, error) {
	var v value
	if n.op != "" {
		b, err := evalBool(n, get)
		if err != nil {
			return v, err
		}
		v = value{typ: typeBool, b: b}
	} else {
		v = leafValue(n.leaf, get)
	}
	return convert(v, typ)
}

// convert casts v to typ as libsmartcols does; a string that is not a number does not
// convert to one.
func convert(v value, typ dataType) (value, error) {
	if v.typ == typ {
		return v, nil
	}
	out := value{typ: typ, empty: v.empty}
	switch v.typ {
	case typeString:
		switch typ {
		case typeNumber:
			if !v.null {
				n, err := strconv.ParseUint(v.str, 10, 64)
				if err != nil {
					return out, errFilterApply
				}
				out.num = n
			}
		case typeFloat:
			if !v.null {
				f, err := strconv.ParseFloat(v.str, 64)
				if err != nil {
					return out, errFilterApply
				}
				out.fnum = f
			}
		case typeBool:
			s := v.str
			out.b = s == "1" || strings.EqualFold(s, "true") || strings.HasPrefix(s, "y") || strings.HasPrefix(s, "Y")
		}
	case typeNumber:
		out.str, out.fnum, out.b = strconv.FormatUint(v.num, 10), float64(v.num), v.num > 0
	case typeFloat:
		out.str, out.num, out.b = strconv.FormatFloat(v.fnum, 'g', 6, 64), uint64(v.fnum), v.fnum > 0
	case typeBool:
		out.str, out.num, out.fnum = strconv.FormatBool(v.b), b2u(v.b), float64(b2u(v.b))
	}
	return out, nil
}

func compare(n *node, get Lookup) (bool, error) {
	typ := compareType(n, get)
	if n.re != nil && typ != typeString {
		return false, errFilterApply
	}
	l, err := nodeAs(n.left, typ, get)
	if err != nil {
		return false, err
	}
	r, err := nodeAs(n.right, typ, get)
	if err != nil {
		return false, err
	}
	if n.re != nil {
		return n.re.MatchString(l.str) == (n.op == "=~"), nil
	}
	if typ == typeString {
		// An empty text cell sorts before every string, even "".
		return order(n.op, compareStrings(l, r)), nil
	}
	if l.empty || r.empty {
		return false, nil
	}
	switch typ {
	case typeNumber:
		return order(n.op, cmpOrdered(l.num, r.num)), nil
	case typeFloat:
		return order(n.op, cmpOrdered(l.fnum, r.fnum)), nil
	}
	return order(n.op, cmpOrdered(b2u(l.b), b2u(r.b))), nil
}

func compareStrings(l, r value) int {
	switch {
	case l.null && r.null:
		return 0
	case l.null:
		return -1
	case r.null:
		return 1
	}
	return strings.Compare(l.str, r.str)
}

func cmpOrdered[T uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
