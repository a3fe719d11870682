package results

import (
	"unsafe"

	"github.com/quiltq/quiltq/engine"
)

// chunkRows is how many rows share one chunk of the store.
const chunkRows = 4096

// store holds result rows compactly: the text of every cell of a chunk of
// rows back to back in one byte slice, a 4-byte end offset per cell and a
// null bit per cell. An engine.Row costs 24 bytes a cell before its text;
// this costs 4⅛, so that a million rows take about what their CSV does.
type store struct {
	cols   int
	n      int
	chunks []*chunk
}

type chunk struct {
	data []byte
	ends []uint32 // end of cell i in data; its start is ends[i-1] (0 for i == 0)
	null []uint64 // bit i set: cell i is NULL
}

func newStore(cols int) store { return store{cols: cols} }

// Len is the number of rows held.
func (s *store) Len() int { return s.n }

// Append adds r, padded or cut to the store's column count.
func (s *store) Append(r engine.Row) {
	if s.n%chunkRows == 0 {
		if k := len(s.chunks); k > 0 {
			s.chunks[k-1].seal()
		}
		cells := chunkRows * s.cols
		s.chunks = append(s.chunks, &chunk{ends: make([]uint32, 0, cells), null: make([]uint64, (cells+63)/64)})
	}
	c := s.chunks[len(s.chunks)-1]
	for i := 0; i < s.cols; i++ {
		var v engine.Value
		if i < len(r) {
			v = r[i]
		} else {
			v.Null = true
		}
		cell := len(c.ends)
		if v.Null {
			c.null[cell/64] |= 1 << (cell % 64)
		}
		c.data = append(c.data, v.Text...)
		c.ends = append(c.ends, uint32(len(c.data)))
	}
	s.n++
}

// seal trims a full chunk's text to its length, so that append's spare
// capacity does not stay allocated for the life of the result.
func (c *chunk) seal() {
	if cap(c.data) > len(c.data) {
		c.data = append([]byte(nil), c.data...)
	}
}

// Cell returns the value at row, col.
func (s *store) Cell(row, col int) engine.Value {
	c := s.chunks[row/chunkRows]
	i := (row%chunkRows)*s.cols + col
	if c.null[i/64]&(1<<(i%64)) != 0 {
		return engine.Value{Null: true}
	}
	start := uint32(0)
	if i > 0 {
		start = c.ends[i-1]
	}
	end := c.ends[i]
	if end == start {
		return engine.Value{}
	}
	// The bytes of a written cell are never changed again (appends only
	// write past them, and seal copies to a new array), so a string may
	// share them: rendering a screen allocates no cell text.
	return engine.Value{Text: unsafe.String(&c.data[start], int(end-start))}
}

// Row returns row i as an engine.Row.
func (s *store) Row(i int) engine.Row {
	r := make(engine.Row, s.cols)
	for j := range r {
		r[j] = s.Cell(i, j)
	}
	return r
}
