package s3srv

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strings"
	"testing"
)

func TestCRC64NVMECheckValue(t *testing.T) {
	// The catalogued check value of CRC-64/NVME over "123456789".
	raw := make([]byte, 8)
	binary.BigEndian.PutUint64(raw, 0xae8b14860a799888)
	if got, want := compute("CRC64NVME", []byte("123456789")), base64.StdEncoding.EncodeToString(raw); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestDecodeChunked(t *testing.T) {
	sig := ";chunk-signature=" + strings.Repeat("0", 64)
	tests := []struct {
		name, body, want, trailer string
		bad                       bool
	}{
		{"signed chunks", "5" + sig + "\r\nhello\r\n6" + sig + "\r\n world\r\n0" + sig + "\r\n\r\n", "hello world", "", false},
		{"unsigned with trailer", "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n", "hello world", "DUoRhQ==", false},
		{"signed trailer", "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:" + strings.Repeat("0", 64) + "\r\n\r\n", "abc", "NSRBwg==", false},
		{"no final CRLF", "3\r\nabc\r\n0\r\n", "abc", "", false},
		{"short chunk", "9\r\nabc\r\n0\r\n\r\n", "", "", true},
		{"bad size", "zz\r\nabc\r\n", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, trailers, err := decodeChunked(strings.NewReader(tt.body))
			if tt.bad {
				if err == nil {
					t.Fatalf("got %q, want an error", data)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tt.want || http.Header(trailers).Get("x-amz-checksum-crc32") != tt.trailer {
				t.Errorf("got %q, trailer %q; want %q, %q", data, trailers.Get("x-amz-checksum-crc32"), tt.want, tt.trailer)
			}
		})
	}
}
