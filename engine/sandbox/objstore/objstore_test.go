package objstore

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newStore() *Store {
	s := New(func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) })
	s.CreateBucket("b")
	return s
}

func TestPutGetDelete(t *testing.T) {
	s := newStore()
	o, err := s.Put("b", "k/1.csv", []byte("hello"), "text/csv")
	if err != nil {
		t.Fatal(err)
	}
	if o.ETag != `"5d41402abc4b2a76b9719d911017c592"` || o.Size() != 5 {
		t.Errorf("ETag %s size %d, want the quoted MD5 of hello and 5", o.ETag, o.Size())
	}
	got, err := s.Get("b", "k/1.csv")
	if err != nil || string(got.Data) != "hello" {
		t.Fatalf("Get = %v, %v", got, err)
	}
	if _, err := s.Get("b", "nope"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("Get of a missing key: %v, want ErrNoSuchKey", err)
	}
	if _, err := s.Get("nobucket", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Get in a missing bucket: %v, want ErrNoSuchBucket", err)
	}
	if _, err := s.Put("nobucket", "k", nil, ""); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Put in a missing bucket: %v, want ErrNoSuchBucket", err)
	}
	if err := s.Delete("b", "k/1.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("b", "k/1.csv"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("Get after Delete: %v, want ErrNoSuchKey", err)
	}
}

func TestListOrdersAndFilters(t *testing.T) {
	s := newStore()
	for _, k := range []string{"a/2", "a/1", "b/1", "a/3"} {
		if _, err := s.Put("b", k, []byte(k), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutLazy("b", "a/0", func() ([]byte, error) { return []byte("lazy"), nil }); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List("b", "a/", "a/0")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	if got, want := strings.Join(keys, ","), "a/1,a/2,a/3"; got != want {
		t.Errorf("List(a/, after a/0) = %s, want %s", got, want)
	}
	objs, _ = s.List("b", "a/", "")
	if len(objs) != 4 || objs[0].Key != "a/0" || objs[0].Size() != 4 {
		t.Errorf("List(a/) = %d objects, first %+v; want 4 with the lazy a/0 sized 4", len(objs), objs[0])
	}
}

func TestLazyObjectIsMadeOnceOnFirstUse(t *testing.T) {
	s := newStore()
	var calls atomic.Int32
	if err := s.PutLazy("b", "big.csv", func() ([]byte, error) { calls.Add(1); return []byte("x,y\n"), nil }); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 {
		t.Fatal("the lazy object was made before anyone read it")
	}
	done := make(chan struct{})
	for range 8 {
		go func() { s.Get("b", "big.csv"); done <- struct{}{} }()
	}
	for range 8 {
		<-done
	}
	o, err := s.Get("b", "big.csv")
	if err != nil || string(o.Data) != "x,y\n" || calls.Load() != 1 {
		t.Errorf("Get = %v, %v after %d makes; want the body made once", o, err, calls.Load())
	}
	if err := s.PutLazy("b", "bad", func() ([]byte, error) { return nil, errors.New("disk full") }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("b", "bad"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("a failing maker: %v, want its error", err)
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct{ in, bucket, key, err string }{
		{"s3://b/k/x.csv", "b", "k/x.csv", ""},
		{"s3://b", "b", "", ""},
		{"s3://b/", "b", "", ""},
		{"https://b/k", "", "", "not an s3:// location"},
		{"s3:///k", "", "", "names no bucket"},
	}
	for _, tc := range tests {
		b, k, err := ParseURI(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURI(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || b != tc.bucket || k != tc.key {
			t.Errorf("ParseURI(%q) = %q, %q, %v; want %q, %q", tc.in, b, k, err, tc.bucket, tc.key)
		}
	}
}
