package print

import (
	"io"
)

// CopyCSV passes a result file in Athena's CSV style (a header record,
// then one record per row; records end with "\n" outside quotes) from r
// to w: whole when nothing is to change, else record by record to drop the
// header or stop after limit rows. It reports the rows written (-1 when it
// copied without counting) and whether rows were left unprinted.
//
// A record ends at a newline outside quotes. A doubled quote inside a
// quoted value toggles the state twice, so one flag tracks it exactly.
func CopyCSV(r io.Reader, w io.Writer, noHeader bool, limit int64, count bool) (rows int64, truncated bool, err error) {
	if !noHeader && limit == 0 && !count {
		_, err := io.Copy(w, r)
		return -1, false, err
	}
	buf := make([]byte, 256<<10)
	inQuote, inHeader, open := false, true, false
	for {
		n, rerr := r.Read(buf)
		chunk := buf[:n]
		start := 0 // the part of chunk still to write
		for i := 0; i < n; i++ {
			switch chunk[i] {
			case '"':
				inQuote = !inQuote
				open = true
			case '\n':
				if inQuote {
					continue
				}
				open = false
				if inHeader {
					inHeader = false
					if noHeader {
						start = i + 1
					}
					continue
				}
				rows++
				if limit > 0 && rows == limit {
					if _, err := w.Write(chunk[start : i+1]); err != nil {
						return rows, false, err
					}
					if i+1 < n {
						return rows, true, nil
					}
					more, err := moreBytes(r, buf, rerr)
					return rows, more, err
				}
			default:
				open = true
			}
		}
		if !(inHeader && noHeader) {
			if _, err := w.Write(chunk[start:]); err != nil {
				return rows, false, err
			}
		}
		if rerr == io.EOF {
			if open && !inHeader {
				rows++ // a last record without its newline
			}
			return rows, false, nil
		}
		if rerr != nil {
			return rows, false, rerr
		}
	}
}

// moreBytes reports whether r has anything left after a read that ended
// with rerr.
func moreBytes(r io.Reader, buf []byte, rerr error) (bool, error) {
	for rerr == nil {
		var n int
		n, rerr = r.Read(buf)
		if n > 0 {
			return true, nil
		}
	}
	if rerr == io.EOF {
		return false, nil
	}
	return false, rerr
}
