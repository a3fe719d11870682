package athena

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine"
)

// The result metadata file
//
// Athena writes <id>.csv.metadata beside each result file. AWS does not
// document it; what is known of it comes from Athena users who decoded it,
// and the sandbox writes the same layout. It is a protocol-buffers message,
// of which this reader relies only on:
//
//   - field 4 of the top-level message, repeated, length-delimited: one
//     message per result column, in column order;
//   - in a column message, field 4 (the name; field 5, the label, when the
//     name is missing) and field 6 (the type name, as ColumnInfo.Type
//     gives it: "varchar", "bigint", "decimal", ...), both strings, and
//     fields 7 and 8 (precision and scale, varints), read for decimals.
//
// Every other field is skipped by its wire type, so fields added or
// numbered otherwise do no harm. A file that does not parse, or names a
// column without a type, is an error, and the caller falls back to
// GetQueryResults' ColumnInfo.

// maxMetadataSize bounds the metadata file read: a few hundred bytes a
// column, so a larger object is not what it claims to be.
const maxMetadataSize = 4 << 20

// parseResultMetadata reads the columns of a result metadata file.
func parseResultMetadata(b []byte) ([]engine.Column, error) {
	var cols []engine.Column
	err := pbFields(b, func(field int, wire int, v uint64, data []byte) error {
		if field != 4 {
			return nil
		}
		if wire != 2 {
			return fmt.Errorf("column field has wire type %d, want 2", wire)
		}
		c, err := parseMetadataColumn(data)
		if err != nil {
			return fmt.Errorf("column %d: %w", len(cols)+1, err)
		}
		cols = append(cols, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("result metadata: %w", err)
	}
	if len(cols) == 0 {
		return nil, errors.New("result metadata: no columns")
	}
	return cols, nil
}

func parseMetadataColumn(b []byte) (engine.Column, error) {
	var name, label, typ string
	var precision, scale uint64
	err := pbFields(b, func(field int, wire int, v uint64, data []byte) error {
		want := 2
		if field == 7 || field == 8 {
			want = 0
		}
		switch field {
		case 4, 5, 6, 7, 8:
			if wire != want {
				return fmt.Errorf("field %d has wire type %d, want %d", field, wire, want)
			}
		}
		switch field {
		case 4:
			name = string(data)
		case 5:
			label = string(data)
		case 6:
			typ = string(data)
		case 7:
			precision = v
		case 8:
			scale = v
		}
		return nil
	})
	if err != nil {
		return engine.Column{}, err
	}
	if name == "" {
		name = label
	}
	if typ == "" {
		return engine.Column{}, fmt.Errorf("column %q has no type", name)
	}
	return engine.Column{Name: name, Type: columnType(typ, precision, scale)}, nil
}

// columnType names a column's type from Athena's base name and, for
// decimals, precision and scale: "decimal(10,2)", as the scale decides how
// a value reads. Other types keep their base name (ColumnInfo gives
// varchar's length as its precision, which this leaves out).
func columnType(base string, precision, scale uint64) string {
	base = strings.ToLower(strings.TrimSpace(base))
	if base == "decimal" && precision > 0 && !strings.Contains(base, "(") {
		return "decimal(" + strconv.FormatUint(precision, 10) + "," + strconv.FormatUint(scale, 10) + ")"
	}
	return base
}

// pbFields calls fn for each field of the protocol-buffers message b:
// its number, wire type, and its value (v for varints and fixed widths,
// data for length-delimited fields).
func pbFields(b []byte, fn func(field, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		field, wire := key>>3, int(key&7)
		if field == 0 || field > 1<<29-1 {
			return fmt.Errorf("bad field number %d", field)
		}
		var v uint64
		var data []byte
		switch wire {
		case 0:
			if v, n = binary.Uvarint(b); n <= 0 {
				return fmt.Errorf("field %d: bad varint", field)
			}
			b = b[n:]
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return fmt.Errorf("field %d: truncated", field)
			}
			if size == 8 {
				v = binary.LittleEndian.Uint64(b)
			} else {
				v = uint64(binary.LittleEndian.Uint32(b))
			}
			b = b[size:]
		case 2:
			size, n := binary.Uvarint(b)
			if n <= 0 || size > uint64(len(b)-n) {
				return fmt.Errorf("field %d: bad length", field)
			}
			data, b = b[n:n+int(size)], b[n+int(size):]
		default:
			return fmt.Errorf("field %d: unsupported wire type %d", field, wire)
		}
		if err := fn(int(field), wire, v, data); err != nil {
			return err
		}
	}
	return nil
}
