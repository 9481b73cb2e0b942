package lsns

import (
	"bufio"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file renders tables the way util-linux's libsmartcols does for lsns: human (padded
// columns, tree art, multi-line cells), raw (-r) and JSON (-J), so that the text is
// byte-identical to util-linux's.

type format int

const (
	formatHuman format = iota
	formatRaw
	formatJSON
)

// row is one line of the table.
type row struct {
	cells    []string // one per table column
	parent   *row
	children []*row
	// paint colours a rendered (padded) cell of the row in the human format; nil for none.
	paint func(col colID, s string) string
}

// tableColumn is a column as this table shows it.
type tableColumn struct {
	colInfo
	id     colID
	tree   bool // holds the tree art
	hidden bool // filled for -Q only
}

// table is a libsmartcols-like table.
type table struct {
	name       string // the JSON top key
	cols       []tableColumn
	roots      []*row
	format     format
	noHeadings bool
	utf8       bool // tree glyphs in UTF-8 (the locale's codeset is UTF-8)
	termWidth  int  // >0 on a terminal: truncate truncatable columns to fit
}

func (t *table) newRow(parent *row) *row {
	r := &row{cells: make([]string, len(t.cols)), parent: parent}
	if parent != nil {
		parent.children = append(parent.children, r)
	} else {
		t.roots = append(t.roots, r)
	}
	return r
}

// walk visits rows depth first, parents before children, in insertion order.
func (t *table) walk(fn func(r *row)) {
	var visit func(rows []*row)
	visit = func(rows []*row) {
		for _, r := range rows {
			fn(r)
			visit(r.children)
		}
	}
	visit(t.roots)
}

func (r *row) isLastChild() bool {
	if r.parent == nil {
		return false
	}
	sib := r.parent.children
	return sib[len(sib)-1] == r
}

type glyphs struct{ branch, vert, right string }

func (t *table) glyphs() glyphs {
	if t.utf8 {
		return glyphs{branch: "\u251c\u2500", vert: "\u2502 ", right: "\u2514\u2500"}
	}
	return glyphs{branch: "|-", vert: "| ", right: "`-"}
}

// ancestorArt is the art that the ancestors of r (not r itself) put in front of r.
func (t *table) ancestorArt(r *row) string {
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
func (t *table) treePrefix(r *row) string {
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
func (t *table) continuationArt(r *row) string {
	art := t.ancestorArt(r)
	if len(r.children) > 0 {
		art += t.glyphs().vert
	}
	return art
}

// chunks splits a cell into its lines: NSFS holds one mount point per line unless -W.
func (c tableColumn) chunks(s string) []string {
	if c.Wrap && strings.Contains(s, "\n") {
		return strings.Split(s, "\n")
	}
	return []string{s}
}

// print writes the table to w.
func (t *table) print(w *bufio.Writer) {
	switch t.format {
	case formatJSON:
		t.printJSON(w)
	case formatRaw:
		t.printRaw(w)
	default:
		t.printHuman(w)
	}
}

func (t *table) visible() []int {
	var out []int
	for i, c := range t.cols {
		if !c.hidden {
			out = append(out, i)
		}
	}
	return out
}

// printRaw writes -r: cells separated by one space, blanks and unprintable bytes as \xNN.
func (t *table) printRaw(w *bufio.Writer) {
	if len(t.roots) == 0 {
		return
	}
	vis := t.visible()
	if !t.noHeadings {
		for n, i := range vis {
			if n > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(nonblank(t.cols[i].Name))
		}
		w.WriteByte('\n')
	}
	t.walk(func(r *row) {
		for n, i := range vis {
			if n > 0 {
				w.WriteByte(' ')
			}
			data := r.cells[i]
			if t.cols[i].tree {
				data = t.treePrefix(r) + data
			}
			w.WriteString(nonblank(data))
		}
		w.WriteByte('\n')
	})
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

// printHuman writes the padded table.
func (t *table) printHuman(w *bufio.Writer) {
	if len(t.roots) == 0 {
		return
	}
	vis := t.visible()
	widths := make([]int, len(t.cols))
	cells := map[*row][]humanCell{}
	for _, i := range vis {
		_, widths[i] = safeEncode(t.cols[i].Name, t.utf8)
	}
	minWidths := append([]int(nil), widths...)
	for i := range widths {
		widths[i] = 0
	}
	t.walk(func(r *row) {
		hc := make([]humanCell, len(t.cols))
		for _, i := range vis {
			col := t.cols[i]
			for n, chunk := range col.chunks(r.cells[i]) {
				if col.tree && n == 0 {
					chunk = t.treePrefix(r) + chunk
				}
				enc, cw := safeEncode(chunk, t.utf8)
				hc[i].lines = append(hc[i].lines, enc)
				hc[i].widths = append(hc[i].widths, cw)
				widths[i] = max(widths[i], cw)
			}
		}
		cells[r] = hc
	})
	for _, i := range vis {
		// libsmartcols: at least the header; else the hint when both are narrower than it.
		if widths[i] < minWidths[i] {
			widths[i] = minWidths[i]
		} else if h := t.cols[i].Hint; widths[i] < h && minWidths[i] < h {
			widths[i] = h
		}
	}
	t.fitTerminal(vis, widths)
	if !t.noHeadings {
		for n, i := range vis {
			enc, cw := safeEncode(t.cols[i].Name, t.utf8)
			t.writeCell(w, i, n == len(vis)-1, enc, cw, widths[i], nil)
		}
		w.WriteByte('\n')
	}
	t.walk(func(r *row) {
		hc := cells[r]
		extra := 0
		for n, i := range vis {
			if len(hc[i].lines) == 0 {
				t.writeCell(w, i, n == len(vis)-1, "", 0, widths[i], r)
				continue
			}
			extra = max(extra, len(hc[i].lines)-1)
			t.writeCell(w, i, n == len(vis)-1, hc[i].lines[0], hc[i].widths[0], widths[i], r)
		}
		for line := 1; line <= extra; line++ {
			w.WriteByte('\n')
			for n, i := range vis {
				last := n == len(vis)-1
				if line < len(hc[i].lines) {
					t.writeCell(w, i, last, hc[i].lines[line], hc[i].widths[line], widths[i], r)
					continue
				}
				art := ""
				if t.cols[i].tree {
					art = t.continuationArt(r)
				}
				enc, cw := safeEncode(art, t.utf8)
				if last {
					w.WriteString(enc)
					continue
				}
				w.WriteString(enc + strings.Repeat(" ", max(0, widths[i]-cw)) + " ")
			}
		}
		w.WriteByte('\n')
	})
}

// writeCell writes one cell padded to width (the last column is not padded unless it is
// right-aligned), then the column separator.
func (t *table) writeCell(w *bufio.Writer, i int, last bool, data string, dw, width int, r *row) {
	col := t.cols[i]
	if last && dw < width && !col.Right {
		width = dw
	}
	if dw > width && col.Trunc {
		data, dw = truncate(data, width)
	}
	var out string
	if col.Right && data != "" {
		out = strings.Repeat(" ", max(0, width-dw)) + data
	} else if last {
		out = data
	} else {
		out = data + strings.Repeat(" ", max(0, width-dw))
	}
	if col.Right && data == "" && !last {
		out = strings.Repeat(" ", width)
	} else if col.Right && data == "" && last {
		out = strings.Repeat(" ", width)
	}
	if r != nil && r.paint != nil {
		out = r.paint(col.id, out)
	}
	w.WriteString(out)
	if !last {
		w.WriteByte(' ')
	}
}

// fitTerminal narrows the truncatable columns so that a line fits a terminal, as libsmartcols
// does for COMMAND; without a terminal nothing is cut.
func (t *table) fitTerminal(vis []int, widths []int) {
	if t.termWidth <= 0 {
		return
	}
	total := len(vis) - 1
	for _, i := range vis {
		total += widths[i]
	}
	for _, i := range vis {
		if total <= t.termWidth {
			return
		}
		if !t.cols[i].Trunc {
			continue
		}
		floor := len(t.cols[i].Name)
		cut := min(widths[i]-floor, total-t.termWidth)
		if cut > 0 {
			widths[i] -= cut
			total -= cut
		}
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
func (t *table) printJSON(w *bufio.Writer) {
	j := &jsonWriter{w: w}
	j.open("", false, "{")
	j.open(t.name, true, "[")
	var rows func(rs []*row)
	rows = func(rs []*row) {
		for _, r := range rs {
			j.open("", false, "{")
			for _, i := range t.visible() {
				col := t.cols[i]
				data := r.cells[i]
				switch {
				case data == "":
					j.value(col.Name, "null")
				case col.JSON == jsonNumber:
					j.value(col.Name, data)
				default:
					j.value(col.Name, jsonQuote(data))
				}
			}
			if len(r.children) > 0 {
				j.open("children", true, "[")
				rows(r.children)
				j.close("]")
			}
			j.close("}")
		}
	}
	rows(t.roots)
	j.close("]")
	j.close("}")
}
