package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// jsonKind is the type of a JSON value.
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonObject
	jsonArray
)

func (k jsonKind) String() string {
	return [...]string{"a string", "a number", "a boolean", "null", "an object", "a list"}[k]
}

// jsonNode is a parsed JSON value that remembers where it was, so that a
// semantic error can give a line and column, and that keeps object members
// in document order (encoding/json's maps lose both, and its struct decoding
// would accept "effect" for "Effect").
type jsonNode struct {
	kind    jsonKind
	off     int    // byte offset of the value's first character
	text    string // a string's value, a number's digits, "true"/"false"
	members []jsonMember
	elems   []*jsonNode
}

// jsonMember is one key of an object.
type jsonMember struct {
	key string
	off int // byte offset of the key
	val *jsonNode
}

// maxDepth bounds nesting; no policy needs more than five levels.
const maxDepth = 32

// jsonDecoder builds jsonNodes from encoding/json's token stream.
type jsonDecoder struct {
	doc []byte
	dec *json.Decoder
}

// syntaxError locates a JSON syntax error at byte offset off.
func syntaxError(doc []byte, off int, msg string) *ParseError {
	line, col := position(doc, off)
	e := &ParseError{Line: line, Column: col, Msg: "invalid JSON: " + msg}
	// A trailing comma is the usual culprit in hand-edited policies.
	prev := strings.TrimRight(string(doc[:min(off, len(doc))]), " \t\r\n")
	if strings.HasSuffix(prev, ",") && off < len(doc) && (doc[off] == '}' || doc[off] == ']') {
		e.Msg += "; JSON allows no comma before a closing } or ]"
	}
	return e
}

// parseJSON parses doc into a tree, or returns a located *ParseError.
func parseJSON(doc []byte) (*jsonNode, error) {
	d := &jsonDecoder{doc: doc, dec: json.NewDecoder(strings.NewReader(string(doc)))}
	d.dec.UseNumber()
	n, err := d.value(0)
	if err != nil {
		return nil, err
	}
	off := d.next()
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, syntaxError(doc, off, "unexpected content after the end of the policy document")
	}
	return n, nil
}

// next returns the offset of the next token: past white space and the
// separators that encoding/json's Token skips.
func (d *jsonDecoder) next() int {
	off := int(d.dec.InputOffset())
	for off < len(d.doc) {
		switch d.doc[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// token reads one token, turning decoder errors into located ones.
func (d *jsonDecoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, syntaxError(d.doc, int(se.Offset), se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, syntaxError(d.doc, len(d.doc), "the document ends too early; a closing } or ] or a value is missing")
	}
	return nil, syntaxError(d.doc, d.next(), err.Error())
}

func (d *jsonDecoder) value(depth int) (*jsonNode, error) {
	off := d.next()
	if depth > maxDepth {
		return nil, syntaxError(d.doc, off, fmt.Sprintf("nested more than %d levels deep", maxDepth))
	}
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	n := &jsonNode{off: off}
	switch t := tok.(type) {
	case string:
		n.kind, n.text = jsonString, t
	case json.Number:
		n.kind, n.text = jsonNumber, string(t)
	case bool:
		n.kind, n.text = jsonBool, fmt.Sprint(t)
	case nil:
		n.kind = jsonNull
	case json.Delim:
		if t == '[' {
			n.kind = jsonArray
			for d.dec.More() {
				e, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
			}
		} else {
			n.kind = jsonObject
			for d.dec.More() {
				koff := d.next()
				k, err := d.token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				for _, m := range n.members {
					if m.key == key {
						line, col := position(d.doc, koff)
						return nil, &ParseError{Line: line, Column: col, Msg: fmt.Sprintf("duplicate key %q in the same object; keep only one", key)}
					}
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, jsonMember{key: key, off: koff, val: v})
			}
		}
		if _, err := d.token(); err != nil { // the closing ] or }
			return nil, err
		}
	}
	return n, nil
}

// position turns a byte offset into a 1-based line and column (in
// characters).
func position(doc []byte, off int) (line, col int) {
	off = max(0, min(off, len(doc)))
	line = 1 + strings.Count(string(doc[:off]), "\n")
	start := strings.LastIndexByte(string(doc[:off]), '\n') + 1
	return line, 1 + utf8.RuneCount(doc[start:off])
}
