package results

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiltq/quiltq/engine"
	"github.com/quiltq/quiltq/ui/print"
)

// sortDir is the order of the sorted column.
type sortDir int8

const (
	unsorted   sortDir = 0
	ascending  sortDir = 1
	descending sortDir = -1
)

func (d sortDir) String() string {
	if d == descending {
		return "descending"
	}
	return "ascending"
}

func (d sortDir) arrow() string {
	if d == descending {
		return "↓"
	}
	return "↑"
}

// order is which rows the grid shows and in what order: view lists the
// store's row indexes in the order shown (a permutation of the rows the
// filter keeps); nil shows every row in the order it came. Sorting and
// filtering move these 4-byte indexes, never the rows.
type order struct {
	view    []int32
	sortCol int
	dir     sortDir
	keys    sortKeys
	filter  filter
}

// shown is how many rows are shown of n held.
func (o *order) shown(n int) int {
	if o.view == nil {
		return n
	}
	return len(o.view)
}

// at is the store's index of the row shown at position pos.
func (o *order) at(pos int) int {
	if o.view == nil {
		return pos
	}
	return int(o.view[pos])
}

// cycleSort sorts by column c: ascending, then descending, then as the
// rows came. The cursor stays on the row it was on.
func (m *Model) cycleSort(c int) {
	switch {
	case m.ord.dir == unsorted || m.ord.sortCol != c:
		m.ord.sortCol, m.ord.dir = c, ascending
	case m.ord.dir == ascending:
		m.ord.dir = descending
	default:
		m.ord.dir = unsorted
	}
	m.reorder()
}

// SortBy sorts the rows by column c, ascending (dir > 0), descending
// (dir < 0) or as they came (dir == 0).
func (m *Model) SortBy(c int, dir int) {
	if c < 0 || c >= len(m.cols) {
		return
	}
	m.ord.sortCol = c
	m.ord.dir = sortDir(max(min(dir, 1), -1))
	m.reorder()
	m.scroll()
}

// setFilter keeps the rows that match text (all rows when it is empty).
func (m *Model) setFilter(text string) {
	m.ord.filter = parseFilter(text, m.cols)
	m.reorder()
	m.scroll()
}

// SetFilter keeps the rows that match text: those holding it in any
// column (case aside), or with "column=value" those whose column is value.
func (m *Model) SetFilter(text string) { m.setFilter(text) }

// reorder builds the view anew for the filter and sort in force, keeping
// the cursor on the row it was on when that row is still shown.
func (m *Model) reorder() {
	cur := -1
	if m.row < m.Shown() {
		cur = m.ord.at(m.row)
	}
	o := &m.ord
	o.keys = sortKeys{}
	n := m.rows.Len()
	if o.dir == unsorted && !o.filter.active() {
		o.view = nil
	} else {
		view := make([]int32, 0, n)
		for r := 0; r < n; r++ {
			if o.filter.match(&m.rows, r) {
				view = append(view, int32(r))
			}
		}
		if o.dir != unsorted {
			o.keys = newSortKeys(m.cols[o.sortCol].Type)
			o.keys.extend(&m.rows, o.sortCol, n)
			o.keys.sort(view, o.dir)
		}
		o.view = view
	}
	m.anchor = nil
	if cur >= 0 {
		m.row = m.positionOf(cur)
	}
}

// positionOf is where store row r is shown (0 when it is not).
func (m *Model) positionOf(r int) int {
	if m.ord.view == nil {
		return r
	}
	for i, v := range m.ord.view {
		if int(v) == r {
			return i
		}
	}
	return 0
}

// extendOrder takes the rows appended from store index from on into the
// view: those the filter keeps, merged into the sort's order (stable: a
// new row goes after the rows it ties with, which came before it).
func (m *Model) extendOrder(from int) {
	o := &m.ord
	n := m.rows.Len()
	if o.view == nil || from >= n {
		return
	}
	add := make([]int32, 0, n-from)
	for r := from; r < n; r++ {
		if o.filter.match(&m.rows, r) {
			add = append(add, int32(r))
		}
	}
	if o.dir == unsorted {
		o.view = append(o.view, add...)
		return
	}
	o.keys.extend(&m.rows, o.sortCol, n)
	cmp := o.keys.comparator(o.dir)
	slices.SortFunc(add, cmp)
	// Merge from the back, in place.
	old := len(o.view)
	o.view = append(o.view, add...)
	v := o.view
	i, j := old-1, len(add)-1
	for k := len(v) - 1; j >= 0; k-- {
		if i >= 0 && cmp(v[i], add[j]) > 0 {
			v[k] = v[i]
			i--
		} else {
			v[k] = add[j]
			j--
		}
	}
}

// keyKind is how a column's values compare.
type keyKind int8

const (
	keyText   keyKind = iota // by code point (Trino's varchar order)
	keyNumber                // as numbers (print.Numeric decides which types)
	keyTime                  // dates and timestamps, as instants
)

// Classes of a value, in sort order whatever the direction: values, then
// what is not a value of the type (NaN, unreadable text), then NULL
// (Trino's NULLS LAST, its default in both directions).
const (
	classValue uint8 = iota
	classOther
	classNull
)

// sortKeys are the sorted column's values read once per row, so that a
// comparison neither parses nor looks the cell up: numbers as float64
// (and, for integers and decimals, ties broken on the digits, which
// float64 may round), times as nanoseconds, text as the cell's string
// (which shares the store's bytes).
type sortKeys struct {
	kind  keyKind
	exact bool // ties of equal floats compare the digits
	class []uint8
	num   []float64
	tm    []int64
	str   []string // the text of every row (numbers' and times' too, for ties and unreadable values)
}

func newSortKeys(typ string) sortKeys {
	k := sortKeys{kind: keyText}
	switch base := engine.BaseType(typ); {
	case print.Numeric(typ):
		k.kind = keyNumber
		k.exact = base != "double" && base != "real" && base != "float"
	case base == "date", base == "timestamp", base == "timestamp with time zone":
		k.kind = keyTime
	}
	return k
}

// extend reads the keys of the store's rows up to n.
func (k *sortKeys) extend(s *store, col, n int) {
	for r := len(k.class); r < n; r++ {
		v := s.Cell(r, col)
		class := classValue
		var f float64
		var t int64
		switch {
		case v.Null:
			class = classNull
		case k.kind == keyNumber:
			var err error
			if f, err = strconv.ParseFloat(v.Text, 64); err != nil || math.IsNaN(f) {
				class = classOther
			}
		case k.kind == keyTime:
			tm, err := engine.ParseTimestamp(v.Text)
			if err != nil {
				tm, err = engine.ParseDate(v.Text)
			}
			if err != nil {
				class = classOther
			}
			t = tm.UnixNano()
		}
		k.class = append(k.class, class)
		k.str = append(k.str, v.Text)
		switch k.kind {
		case keyNumber:
			k.num = append(k.num, f)
		case keyTime:
			k.tm = append(k.tm, t)
		}
	}
}

// sort orders view (store indexes, ascending) by the keys in direction
// dir: the values, then what is not a value of the type, then NULLs, each
// part stable. The values are sorted as (key, index) pairs, which keeps
// the comparisons in cache where indexes into the keys would jump about
// (twice as fast for 100,000 strings); the pairs are dropped after.
func (k *sortKeys) sort(view []int32, dir sortDir) {
	var vals, others, nulls []int32
	for _, r := range view {
		switch k.class[r] {
		case classValue:
			vals = append(vals, r)
		case classOther:
			others = append(others, r)
		default:
			nulls = append(nulls, r)
		}
	}
	d := int(dir)
	switch k.kind {
	case keyNumber:
		type item struct {
			f float64
			r int32
		}
		items := make([]item, len(vals))
		for i, r := range vals {
			items[i] = item{k.num[r], r}
		}
		slices.SortFunc(items, func(a, b item) int {
			switch {
			case a.f < b.f:
				return -d
			case a.f > b.f:
				return d
			}
			if k.exact {
				if c := compareDecimal(k.str[a.r], k.str[b.r]); c != 0 {
					return c * d
				}
			}
			return int(a.r) - int(b.r)
		})
		for i := range items {
			vals[i] = items[i].r
		}
	case keyTime:
		type item struct {
			t int64
			r int32
		}
		items := make([]item, len(vals))
		for i, r := range vals {
			items[i] = item{k.tm[r], r}
		}
		slices.SortFunc(items, func(a, b item) int {
			switch {
			case a.t < b.t:
				return -d
			case a.t > b.t:
				return d
			}
			return int(a.r) - int(b.r)
		})
		for i := range items {
			vals[i] = items[i].r
		}
	default:
		type item struct {
			s string
			r int32
		}
		items := make([]item, len(vals))
		for i, r := range vals {
			items[i] = item{k.str[r], r}
		}
		slices.SortFunc(items, func(a, b item) int {
			if c := strings.Compare(a.s, b.s); c != 0 {
				return c * d
			}
			return int(a.r) - int(b.r)
		})
		for i := range items {
			vals[i] = items[i].r
		}
	}
	slices.SortFunc(others, func(a, b int32) int {
		if c := strings.Compare(k.str[a], k.str[b]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
	n := copy(view, vals)
	n += copy(view[n:], others)
	copy(view[n:], nulls)
}

// comparator orders store rows by the keys in direction dir, NULL and
// values not of the type last in both directions, ties in the order the
// rows came: with it pdqsort (n log n comparisons) sorts stably, where
// slices.SortStableFunc's insertion and symmerge take n log² n.
func (k *sortKeys) comparator(dir sortDir) func(a, b int32) int {
	d := int(dir)
	class, str, num, tm, exact := k.class, k.str, k.num, k.tm, k.exact
	var value func(a, b int32) int
	switch k.kind {
	case keyNumber:
		value = func(a, b int32) int {
			fa, fb := num[a], num[b]
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			case exact:
				return compareDecimal(str[a], str[b])
			}
			return 0
		}
	case keyTime:
		value = func(a, b int32) int {
			ta, tb := tm[a], tm[b]
			switch {
			case ta < tb:
				return -1
			case ta > tb:
				return 1
			}
			return 0
		}
	default:
		value = func(a, b int32) int { return strings.Compare(str[a], str[b]) }
	}
	return func(a, b int32) int {
		ca, cb := class[a], class[b]
		c := int(ca) - int(cb)
		switch {
		case c != 0:
			return c
		case ca == classValue:
			c = value(a, b) * d
		case ca == classOther:
			c = strings.Compare(str[a], str[b])
		}
		if c != 0 {
			return c
		}
		return int(a) - int(b)
	}
}

// compareDecimal compares two integers or decimals written in digits
// ("-12.50"), exactly: bigints past 2^53 and decimal(38) values that
// float64 rounds to the same number still order right.
func compareDecimal(a, b string) int {
	na, ia, fa := splitDecimal(a)
	nb, ib, fb := splitDecimal(b)
	if ia == "" && strings.Trim(fa, "0") == "" {
		na = false // -0 is 0
	}
	if ib == "" && strings.Trim(fb, "0") == "" {
		nb = false
	}
	sign := 1
	switch {
	case na && !nb:
		return -1
	case !na && nb:
		return 1
	case na:
		sign = -1
	}
	if c := len(ia) - len(ib); c != 0 {
		return sign * c
	}
	if c := strings.Compare(ia, ib); c != 0 {
		return sign * c
	}
	n := max(len(fa), len(fb))
	fa += strings.Repeat("0", n-len(fa))
	fb += strings.Repeat("0", n-len(fb))
	return sign * strings.Compare(fa, fb)
}

// splitDecimal is s's sign, its integer digits without leading zeros and
// its fraction's digits.
func splitDecimal(s string) (neg bool, whole, frac string) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	whole, frac, _ = strings.Cut(s, ".")
	return neg, strings.TrimLeft(whole, "0"), frac
}

// filter is what the filter bar asked for: the rows holding the text in
// any column (case aside), or, written "column=value", the rows whose
// column is exactly value (column=NULL: also those where it is NULL).
type filter struct {
	text   string
	col    int    // the column of column=value; -1 for any column
	value  string // column=value's value
	null   bool   // column=NULL (case aside): NULL cells match, as the grid shows them NULL
	needle string // the text, lower-cased
	ascii  bool   // the needle is ASCII: compared without allocating
}

func (f filter) active() bool { return f.text != "" }

// parseFilter reads the filter bar's text: "name=value" when name is a
// column (case aside), else text to find anywhere.
func parseFilter(text string, cols []engine.Column) filter {
	f := filter{text: text, col: -1, needle: strings.ToLower(text)}
	if name, value, ok := strings.Cut(text, "="); ok {
		name = strings.Trim(strings.TrimSpace(name), `"`)
		for i, c := range cols {
			if strings.EqualFold(c.Name, name) {
				f.col, f.value = i, strings.TrimSpace(value)
				f.null = strings.EqualFold(f.value, "NULL")
				break
			}
		}
	}
	f.ascii = true
	for i := 0; i < len(f.needle); i++ {
		if f.needle[i] >= utf8.RuneSelf {
			f.ascii = false
		}
	}
	return f
}

// match reports whether store row r is shown under the filter.
func (f *filter) match(s *store, r int) bool {
	if !f.active() {
		return true
	}
	if f.col >= 0 {
		v := s.Cell(r, f.col)
		if v.Null {
			return f.null
		}
		return v.Text == f.value
	}
	for c := 0; c < s.cols; c++ {
		v := s.Cell(r, c)
		if v.Null {
			continue
		}
		if f.ascii {
			if containsFoldASCII(v.Text, f.needle) {
				return true
			}
		} else if strings.Contains(strings.ToLower(v.Text), f.needle) {
			return true
		}
	}
	return false
}

// containsFoldASCII reports whether s holds sub, an ASCII lower-case
// string, ASCII letters compared without case.
func containsFoldASCII(s, sub string) bool {
	n := len(sub)
	if n == 0 {
		return true
	}
	c0, c0u := sub[0], upperASCII(sub[0])
	for i := 0; i+n <= len(s); i++ {
		if c := s[i]; c != c0 && c != c0u {
			continue
		}
		j := 1
		for ; j < n; j++ {
			c := s[i+j]
			if c != sub[j] && c != upperASCII(sub[j]) {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
