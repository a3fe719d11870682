package s3srv

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// checksum is an additional checksum of an upload: its algorithm (CRC32,
// CRC32C, CRC64NVME, SHA1, SHA256), its base64 value, and whether it
// covers the FULL_OBJECT or is a COMPOSITE of parts' checksums.
type checksum struct {
	alg, value, kind string
	etag             string // of the object it was verified on
}

// header is the checksum's HTTP header name.
func (c checksum) header() string { return "x-amz-checksum-" + strings.ToLower(c.alg) }

// algorithms are the additional checksums S3 supports.
var algorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// newHash returns a fresh hash of alg, or nil for an unknown one. Tables
// are built per use: no package-level state, and they cost microseconds.
func newHash(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		// CRC-64/NVME: Go's crc64 implements the reflected, all-ones
		// initialized and inverted form; this is NVMe's polynomial in it.
		return crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// compute returns alg's checksum of data in S3's base64 form.
func compute(alg string, data []byte) string {
	h := newHash(alg)
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// checkMD5 checks a Content-MD5 header against data.
func checkMD5(v string, data []byte) *wire.Error {
	if v == "" {
		return nil
	}
	want, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(want) != md5.Size {
		return wire.NewError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
	}
	got := md5.Sum(data)
	if !bytes.Equal(got[:], want) {
		return wire.NewError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	}
	return nil
}

// verifyChecksum finds the additional checksum of an upload, in a header
// or in the aws-chunked trailer, and checks it against data. With only
// x-amz-sdk-checksum-algorithm (no value), S3 computes the checksum
// itself and reports it; so does the sandbox.
func verifyChecksum(h, trailers http.Header, data []byte) (checksum, *wire.Error) {
	var sum checksum
	for _, alg := range algorithms {
		name := "x-amz-checksum-" + strings.ToLower(alg)
		v := h.Get(name)
		if v == "" {
			v = trailers.Get(name)
		}
		if v == "" {
			continue
		}
		if sum.alg != "" {
			return checksum{}, wire.NewError(http.StatusBadRequest, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		sum = checksum{alg: alg, value: v, kind: "FULL_OBJECT"}
	}
	if sum.alg == "" {
		alg := strings.ToUpper(h.Get("x-amz-sdk-checksum-algorithm"))
		if alg == "" || newHash(alg) == nil {
			return checksum{}, nil
		}
		return checksum{alg: alg, value: compute(alg, data), kind: "FULL_OBJECT"}, nil
	}
	raw, err := base64.StdEncoding.DecodeString(sum.value)
	if err != nil || len(raw) != newHash(sum.alg).Size() {
		return checksum{}, wire.NewError(http.StatusBadRequest, "InvalidRequest", "Value for "+sum.header()+" header is invalid.")
	}
	if got := compute(sum.alg, data); got != sum.value {
		// S3 names CRCs in capitals and SHAs in lower case here.
		name := sum.alg
		if strings.HasPrefix(name, "SHA") {
			name = strings.ToLower(name)
		}
		return checksum{}, wire.NewError(http.StatusBadRequest, "BadDigest", "The "+name+" you specified did not match the calculated checksum.")
	}
	return sum, nil
}

// decodeChunked reads an aws-chunked body: chunks of
// "<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n", a final chunk of
// size zero, then trailer lines ("x-amz-checksum-crc32:<value>") and an
// empty line. Chunk signatures are not verified: the sandbox checks the
// request's seed signature, which is what decides who the caller is.
func decodeChunked(r io.Reader) ([]byte, http.Header, error) {
	br := bufio.NewReader(r)
	var out bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("chunk header: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		sizeHex, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("bad chunk size %q", sizeHex)
		}
		if n == 0 {
			break
		}
		if out.Len()+int(n) > maxObject {
			return nil, nil, errors.New("payload too large")
		}
		if _, err := io.CopyN(&out, br, n); err != nil {
			return nil, nil, fmt.Errorf("chunk data: %w", err)
		}
		crlf := make([]byte, 2)
		if _, err := io.ReadFull(br, crlf); err != nil || string(crlf) != "\r\n" {
			return nil, nil, errors.New("chunk data is not followed by CRLF")
		}
	}
	// Trailers end at an empty line or at the end of the body (some
	// clients omit the final CRLF).
	tp := textproto.NewReader(br)
	trailers, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("trailer: %w", err)
	}
	return out.Bytes(), http.Header(trailers), nil
}

// composite is S3's checksum of a multipart object: the checksum of the
// parts' raw checksums, then "-" and the part count.
func composite(alg string, parts []checksum) string {
	h := newHash(alg)
	for _, p := range parts {
		raw, _ := base64.StdEncoding.DecodeString(p.value)
		h.Write(raw)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}
