package scols

import (
	"bufio"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file renders tables the way util-linux's libsmartcols does for lsns: human (padded
// columns, tree art, multi-line cells), raw (-r) and JSON (-J), so that the text is
// byte-identical to util-linux's.

type Format int

const (
	FormatHuman Format = iota
	FormatRaw
	FormatJSON
)

// Row is one line of the table.
type Row struct {
	Cells    []string // one per table column
	parent   *Row
	children []*Row
	// Paint colours a rendered (padded) cell of the row in the human format, given the column's
	// index; nil for none.
	Paint func(col int, s string) string
}

// Column is one column of a table: its header, alignment and flags, as libsmartcols has them.
type Column struct {
	Name   string
	Hint   int  // absolute width hint: the width when data and header are narrower
	Right  bool // right-aligned
	Trunc  bool // may be truncated on a terminal
	Wrap   bool // multi-line cell: one chunk per line
	Number bool // a number in JSON (and in filters)
	Tree   bool // holds the tree art
	Hidden bool // filled (for a filter) but not shown
}

// Table is a libsmartcols-like table.
type Table struct {
	Name       string // the JSON top key
	Columns    []Column
	Format     Format
	NoHeadings bool
	UTF8       bool // tree glyphs in UTF-8 (the locale's codeset is UTF-8)
	TermWidth  int  // >0 on a terminal: fit lines to this width
	roots      []*Row
	all        []*Row // every row, in the order they were added
}

// NewRow adds a row under parent (nil for a top-level row) and returns it.
func (t *Table) NewRow(parent *Row) *Row {
	r := &Row{Cells: make([]string, len(t.Columns)), parent: parent}
	t.all = append(t.all, r)
	if parent != nil {
		parent.children = append(parent.children, r)
	} else {
		t.roots = append(t.roots, r)
	}
	return r
}

// walk visits rows depth first, parents before children, in insertion order.
func (t *Table) walk(fn func(r *Row)) {
	var visit func(rows []*Row)
	visit = func(rows []*Row) {
		for _, r := range rows {
			fn(r)
			visit(r.children)
		}
	}
	visit(t.roots)
}

func (r *Row) isLastChild() bool {
	if r.parent == nil {
		return false
	}
	sib := r.parent.children
	return sib[len(sib)-1] == r
}

type glyphs struct{ branch, vert, right string }

func (t *Table) glyphs() glyphs {
	if t.UTF8 {
		return glyphs{branch: "\u251c\u2500", vert: "\u2502 ", right: "\u2514\u2500"}
	}
	return glyphs{branch: "|-", vert: "| ", right: "`-"}
}

// ancestorArt is the art that the ancestors of r (not r itself) put in front of r.
func (t *Table) ancestorArt(r *Row) string {
	if r == nil || r.parent == nil {
		return ""
	}
	art := t.ancestorArt(r.parent)
	if r.isLastChild() {
		return art + "  "
	}
	return art + t.glyphs().vert
}

// treePrefix is the art in front of r's own data in the tree column.
func (t *Table) treePrefix(r *Row) string {
	if r.parent == nil {
		return ""
	}
	g := t.glyphs()
	if r.isLastChild() {
		return t.ancestorArt(r.parent) + g.right
	}
	return t.ancestorArt(r.parent) + g.branch
}

// continuationArt is the tree art on the extra lines of a multi-line row.
func (t *Table) continuationArt(r *Row) string {
	art := t.ancestorArt(r)
	if len(r.children) > 0 {
		art += t.glyphs().vert
	}
	return art
}

// chunks splits a cell into its lines: NSFS holds one mount point per line unless -W.
func (c Column) chunks(s string) []string {
	if c.Wrap && strings.Contains(s, "\n") {
		return strings.Split(s, "\n")
	}
	return []string{s}
}

// Print writes the table to w.
func (t *Table) Print(w *bufio.Writer) {
	switch t.Format {
	case FormatJSON:
		t.printJSON(w)
	case FormatRaw:
		t.printRaw(w)
	default:
		t.printHuman(w)
	}
}

func (t *Table) visible() []int {
	var out []int
	for i, c := range t.Columns {
		if !c.Hidden {
			out = append(out, i)
		}
	}
	return out
}

// printRaw writes -r: cells separated by one space, blanks and unprintable bytes as \xNN.
func (t *Table) printRaw(w *bufio.Writer) {
	if len(t.all) == 0 {
		return
	}
	vis := t.visible()
	if !t.NoHeadings {
		for n, i := range vis {
			if n > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(nonblank(t.Columns[i].Name))
		}
		w.WriteByte('\n')
	}
	for _, r := range t.rowsInOrder() {
		for n, i := range vis {
			if n > 0 {
				w.WriteByte(' ')
			}
			data := r.Cells[i]
			if t.Columns[i].Tree {
				data = t.treePrefix(r) + data
			}
			w.WriteString(nonblank(data))
		}
		w.WriteByte('\n')
	}
}

// nonblank is libsmartcols' raw encoding: blanks, backslashes and bytes that are not printable
// ASCII become \xNN.
func nonblank(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\\' || c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, `\x%02x`, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// safeEncode is libsmartcols' human encoding: control characters, invalid UTF-8 (or, outside a
// UTF-8 locale, every non-ASCII byte), unprintable characters and a backslash before 'x'
// become \xNN. It returns the text and its width in terminal cells.
func safeEncode(s string, utf8Locale bool) (string, int) {
	var b strings.Builder
	width := 0
	for i := 0; i < len(s); {
		c := s[i]
		if (c == '\\' && i+1 < len(s) && s[i+1] == 'x') || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, c)
			width += 4
			i++
			continue
		}
		if c < 0x80 {
			b.WriteByte(c)
			width++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !utf8Locale || r == utf8.RuneError {
			fmt.Fprintf(&b, `\x%02x`, c)
			width += 4
			i++
			continue
		}
		if !unicode.IsPrint(r) {
			for j := 0; j < size; j++ {
				fmt.Fprintf(&b, `\x%02x`, s[i+j])
				width += 4
			}
			i += size
			continue
		}
		b.WriteString(s[i : i+size])
		width += runeWidth(r)
		i += size
	}
	return b.String(), width
}

// runeWidth is wcwidth for printable runes: 2 for East Asian wide ones, 0 for combining marks.
func runeWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return 0
	case r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
		(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe6f) || (r >= 0xff00 && r <= 0xff60) ||
		(r >= 0xffe0 && r <= 0xffe6) || (r >= 0x1f300 && r <= 0x1f64f) || (r >= 0x1f900 && r <= 0x1f9ff) ||
		(r >= 0x20000 && r <= 0x3fffd)):
		return 2
	}
	return 1
}

// truncate cuts encoded text to at most width cells.
func truncate(s string, width int) (string, int) {
	w := 0
	for i, r := range s {
		rw := runeWidth(r)
		if w+rw > width {
			return s[:i], w
		}
		w += rw
	}
	return s, w
}

// humanCell is one cell ready for the human format: its lines, encoded, and their widths.
type humanCell struct {
	lines  []string
	widths []int
}

// width is the cell's width for the layout: that of its widest line.
func (c humanCell) width() int {
	w := 0
	for _, cw := range c.widths {
		w = max(w, cw)
	}
	return w
}

// layout is one column's width and the statistics libsmartcols works it out from.
type layout struct {
	width, min, max int
	treeArt         int     // widest tree art in the column
	avg, deviation  float64 // of the cell widths, over every row
	hidden          bool    // reduced to nothing
}

// rowsInOrder lists the rows in print order: depth first in a tree table, else in the order they
// were added (a table with no tree column prints its rows flat, as libsmartcols does).
func (t *Table) rowsInOrder() []*Row {
	if !t.isTree() {
		return t.all
	}
	var out []*Row
	t.walk(func(r *Row) { out = append(out, r) })
	return out
}

// isTree reports whether a column holds the tree.
func (t *Table) isTree() bool {
	for _, c := range t.Columns {
		if c.Tree {
			return true
		}
	}
	return false
}

// printHuman writes the padded table.
func (t *Table) printHuman(w *bufio.Writer) {
	if len(t.all) == 0 {
		return
	}
	vis := t.visible()
	rows := t.rowsInOrder()
	cells := make(map[*Row][]humanCell, len(rows))
	for _, r := range rows {
		hc := make([]humanCell, len(t.Columns))
		for _, i := range vis {
			col := t.Columns[i]
			for n, chunk := range col.chunks(r.Cells[i]) {
				if col.Tree && n == 0 {
					chunk = t.treePrefix(r) + chunk
				}
				enc, cw := safeEncode(chunk, t.UTF8)
				hc[i].lines = append(hc[i].lines, enc)
				hc[i].widths = append(hc[i].widths, cw)
			}
		}
		cells[r] = hc
	}
	lay := t.layout(vis, rows, cells)
	if !t.NoHeadings {
		for n, i := range vis {
			if lay[i].hidden {
				continue
			}
			enc, cw := safeEncode(t.Columns[i].Name, t.UTF8)
			t.writeCell(w, i, t.isLast(vis, lay, n), enc, cw, lay[i].width, nil)
		}
		w.WriteByte('\n')
	}
	for _, r := range rows {
		t.writeRow(w, r, cells[r], vis, lay)
	}
}

// isLast reports whether vis[n] is the last column shown.
func (t *Table) isLast(vis []int, lay []layout, n int) bool {
	for _, i := range vis[n+1:] {
		if !lay[i].hidden {
			return false
		}
	}
	return true
}

// writeRow writes one row, and the extra lines of its multi-line cells.
func (t *Table) writeRow(w *bufio.Writer, r *Row, hc []humanCell, vis []int, lay []layout) {
	extra := 0
	for n, i := range vis {
		if lay[i].hidden {
			continue
		}
		last := t.isLast(vis, lay, n)
		if len(hc[i].lines) == 0 {
			t.writeCell(w, i, last, "", 0, lay[i].width, r)
			continue
		}
		extra = max(extra, len(hc[i].lines)-1)
		t.writeCell(w, i, last, hc[i].lines[0], hc[i].widths[0], lay[i].width, r)
	}
	for line := 1; line <= extra; line++ {
		w.WriteByte('\n')
		for n, i := range vis {
			if lay[i].hidden {
				continue
			}
			last := t.isLast(vis, lay, n)
			data, dw := "", 0
			if line < len(hc[i].lines) {
				data, dw = hc[i].lines[line], hc[i].widths[line]
			} else if t.Columns[i].Tree {
				data, dw = safeEncode(t.continuationArt(r), t.UTF8)
			}
			w.WriteString(data)
			if !last {
				w.WriteString(strings.Repeat(" ", max(0, lay[i].width-dw)) + " ")
			}
		}
	}
	w.WriteByte('\n')
}

// writeCell writes one cell in its column's width as libsmartcols does: the last column is not
// padded, truncatable text is cut to the width, right-aligned text is padded on the left
// (empty cells are not), then the column separator.
func (t *Table) writeCell(w *bufio.Writer, i int, last bool, data string, dw, width int, r *Row) {
	col := t.Columns[i]
	if last && dw < width && !col.Right {
		width = dw
	}
	if dw > width && col.Trunc {
		data, dw = truncate(data, width)
	}
	var b strings.Builder
	if col.Right && data != "" {
		b.WriteString(strings.Repeat(" ", max(0, width-dw)))
		dw = max(width, dw)
	}
	b.WriteString(data)
	if !last {
		b.WriteString(strings.Repeat(" ", max(0, width-dw)))
	}
	out := b.String()
	if r != nil && r.Paint != nil {
		out = r.Paint(i, out)
	}
	w.WriteString(out)
	if !last {
		w.WriteByte(' ')
	}
}

// layout works out the column widths as libsmartcols 2.42 does: each column as wide as its
// widest cell, at least its header (unless -n), widened to its width hint when the data is
// wider than the header but narrower than the hint; an empty column without a header takes no
// room. On a terminal (termWidth > 0) a line wider than the terminal is then narrowed, see fit.
func (t *Table) layout(vis []int, rows []*Row, cells map[*Row][]humanCell) []layout {
	lay := make([]layout, len(t.Columns))
	term := t.TermWidth > 0
	for _, i := range vis {
		l := &lay[i]
		col := t.Columns[i]
		if !t.NoHeadings {
			_, l.min = safeEncode(col.Name, t.UTF8)
		}
		l.min = max(l.min, 1)
		for _, r := range rows {
			l.max = max(l.max, cells[r][i].width())
		}
		l.width = max(l.max, l.min)
		if col.Hint >= 1 && l.min < l.max && l.max < col.Hint {
			l.width = col.Hint
		}
		if l.max == 0 && t.NoHeadings && l.min == 1 && l.width <= 1 {
			l.width, l.min = 0, 0
		}
		if term {
			t.statistics(l, i, rows, cells)
		}
	}
	if t.TermWidth > 0 {
		t.fit(vis, lay)
	}
	return lay
}

// statistics works out what fit needs of a column: its widest tree art, and the mean and
// sample standard deviation of its cell widths.
func (t *Table) statistics(l *layout, i int, rows []*Row, cells map[*Row][]humanCell) {
	sum := 0
	for _, r := range rows {
		sum += cells[r][i].width()
		if t.Columns[i].Tree {
			_, aw := safeEncode(t.treePrefix(r), t.UTF8)
			l.treeArt = max(l.treeArt, aw)
		}
	}
	n := float64(len(rows))
	l.avg = float64(sum) / n
	if len(rows) > 1 {
		sq := 0.0
		for _, r := range rows {
			d := float64(cells[r][i].width()) - l.avg
			sq += d * d
		}
		l.deviation = math.Sqrt(sq / (n - 1))
	}
}

// fit fits a line to the terminal as libsmartcols 2.42 does. A line too wide is narrowed: the
// columns are visited from the most scattered widths (mean + 3 deviations) down, in stages:
// first the worst column alone down to mean + deviation, then the truncatable columns with
// scattered widths, then every truncatable column, three cells at a time for the worst one and
// one for the others, never below the header nor by more than the excess. Only truncatable
// columns (COMMAND unless -u) shrink. A line narrower than the terminal first widens the
// columns narrower than their width hint, one cell at a time from the right, then the table's
// last column, if left-aligned, to the edge.
func (t *Table) fit(vis []int, lay []layout) {
	total := 0
	for n, i := range vis {
		total += lay[i].width
		if n < len(vis)-1 {
			total++
		}
	}
	if total > t.TermWidth {
		total = t.narrow(vis, lay, total)
	}
	for grew := true; grew && total < t.TermWidth; {
		grew = false
		for n := len(vis) - 1; n >= 0 && total < t.TermWidth; n-- {
			l, hint := &lay[vis[n]], t.Columns[vis[n]].Hint
			if !l.hidden && hint >= 1 && l.width < hint {
				l.width++
				total++
				grew = true
			}
		}
	}
	// libsmartcols widens the table's last column, even a hidden one (then nothing shows).
	if last := len(t.Columns) - 1; total < t.TermWidth && !t.Columns[last].Hidden && !t.Columns[last].Right {
		lay[last].width += t.TermWidth - total
	}
}

// narrow runs the narrowing stages of fit and returns the new line width.
func (t *Table) narrow(vis []int, lay []layout, total int) int {
	order := append([]int(nil), vis...)
	sort.SliceStable(order, func(a, b int) bool {
		la, lb := lay[order[a]], lay[order[b]]
		return la.avg+3*la.deviation < lb.avg+3*lb.deviation
	})
	for stage := 0; stage <= 6 && total > t.TermWidth; {
		before := total
		for n := 0; n < len(order) && total > t.TermWidth; n++ {
			i := order[len(order)-1-n]
			total -= t.reduce(&lay[i], i, total, stage, n)
		}
		if total == before {
			stage++
		}
	}
	return total
}

// reduce narrows one column in one stage of fit and returns by how much.
func (t *Table) reduce(l *layout, i, total, stage, nth int) int {
	col := t.Columns[i]
	if l.hidden || l.width == l.min || l.width == 0 || (col.Tree && total <= l.treeArt) {
		return 0
	}
	before := l.width
	wanted := total - t.TermWidth
	switch stage {
	case 0:
		if col.Trunc && nth == 0 {
			l.reduceTo68(wanted)
		}
	case 5, 6:
		if stage == 5 && l.deviation < l.avg/2.2 {
			break
		}
		if !col.Trunc {
			break
		}
		cut := 1
		if nth == 0 {
			cut = 3 // the worst column goes faster
		}
		l.width -= min(cut, wanted, l.width-l.min)
	}
	// Stages 1 to 4 narrow only columns lsns does not have (no extremes, relative hints).
	if l.width <= 0 {
		l.width, l.hidden = 0, true
	}
	return before - l.width
}

// reduceTo68 narrows a column towards mean + deviation (where 68% of its cells fit), by at most
// wanted cells.
func (l *layout) reduceTo68(wanted int) {
	if l.deviation < 1.0 {
		return
	}
	target := max(int(l.avg+l.deviation), l.min)
	switch {
	case target >= l.width:
	case l.width-target > wanted:
		l.width -= wanted
	default:
		l.width = target
	}
}

// jsonWriter is util-linux's JSON writer: three-space indents and its comma placement.
type jsonWriter struct {
	w          *bufio.Writer
	indent     int
	afterClose bool
}

func (j *jsonWriter) name(name string, hasName bool) {
	if j.afterClose {
		if hasName {
			j.w.WriteString(",\n")
		} else {
			j.w.WriteString(",")
		}
	}
	if hasName || !j.afterClose {
		j.w.WriteString(strings.Repeat("   ", j.indent))
	}
	if hasName {
		j.w.WriteString(jsonQuote(strings.ToLower(name)))
	}
}

func (j *jsonWriter) open(name string, hasName bool, brace string) {
	j.name(name, hasName)
	if hasName {
		j.w.WriteString(": " + brace + "\n")
	} else {
		j.w.WriteString(brace + "\n")
	}
	j.indent++
	j.afterClose = false
}

func (j *jsonWriter) close(brace string) {
	j.indent--
	j.w.WriteString("\n" + strings.Repeat("   ", j.indent) + brace)
	if brace == "}" && j.indent == 0 {
		j.w.WriteByte('\n')
	}
	j.afterClose = true
}

func (j *jsonWriter) value(name, raw string) {
	j.name(name, true)
	j.w.WriteString(": " + raw)
	j.afterClose = true
}

// jsonQuote quotes s the way util-linux does: only '"', '\\' and control characters escaped.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20:
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\r':
			b.WriteString(`\r`)
		default:
			fmt.Fprintf(&b, `\u00%02x`, c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// printJSON writes {"NAME": [rows]} with children nested in tree tables.
func (t *Table) printJSON(w *bufio.Writer) {
	j := &jsonWriter{w: w}
	j.open("", false, "{")
	j.open(t.Name, true, "[")
	tree := t.isTree()
	var rows func(rs []*Row)
	rows = func(rs []*Row) {
		for _, r := range rs {
			j.open("", false, "{")
			for _, i := range t.visible() {
				col := t.Columns[i]
				data := r.Cells[i]
				switch {
				case data == "":
					j.value(col.Name, "null")
				case col.Number:
					j.value(col.Name, data)
				default:
					j.value(col.Name, jsonQuote(data))
				}
			}
			if len(r.children) > 0 && tree {
				j.open("children", true, "[")
				rows(r.children)
				j.close("]")
			}
			j.close("}")
		}
	}
	if tree {
		rows(t.roots)
	} else {
		rows(t.all)
	}
	j.close("]")
	j.close("}")
}
