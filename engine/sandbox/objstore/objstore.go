// Package objstore is the sandbox's S3 storage: buckets of objects held in
// memory. The S3 endpoint serves it over HTTP; Athena reads table data from
// it and writes query results into it, as the real services share S3.
package objstore

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNoSuchBucket and ErrNoSuchKey are returned for what does not exist.
var (
	ErrNoSuchBucket = errors.New("the specified bucket does not exist")
	ErrNoSuchKey    = errors.New("the specified key does not exist")
)

// Object is one stored object. Its fields must not be modified: a change
// is a new Object (Put, Retag).
type Object struct {
	Key          string
	Data         []byte
	ETag         string // quoted hex MD5, or S3's multipart form "<md5 of part md5s>-N"
	ContentType  string
	LastModified time.Time
	// Parts are the sizes of the parts a multipart upload made the object
	// of, in order; nil for an object stored whole.
	Parts []int64
	// Tags are the object's tag set (nil: none).
	Tags map[string]string
}

// Size is the object's length in bytes.
func (o *Object) Size() int64 { return int64(len(o.Data)) }

// lazy is an object whose body is made on first read.
type lazy struct {
	once sync.Once
	make func() ([]byte, error)
	obj  *Object
	err  error
}

type bucket struct {
	created time.Time
	objects map[string]*Object
	lazy    map[string]*lazy
}

// Store holds buckets of objects. It is safe for concurrent use.
type Store struct {
	mu      sync.RWMutex
	buckets map[string]*bucket
	now     func() time.Time
}

// New returns an empty store that stamps objects with now.
func New(now func() time.Time) *Store {
	return &Store{buckets: map[string]*bucket{}, now: now}
}

// CreateBucket makes a bucket; making one that exists does nothing.
func (s *Store) CreateBucket(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; !ok {
		s.buckets[name] = &bucket{created: s.now(), objects: map[string]*Object{}, lazy: map[string]*lazy{}}
	}
}

// BucketExists reports whether name exists.
func (s *Store) BucketExists(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.buckets[name]
	return ok
}

// Buckets lists bucket names in order.
func (s *Store) Buckets() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.buckets))
	for n := range s.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Put stores data under bucket/key, replacing what was there.
func (s *Store) Put(bucketName, key string, data []byte, contentType string) (*Object, error) {
	return s.PutWith(bucketName, key, data, PutOptions{ContentType: contentType})
}

// PutOptions are what PutWith stores beside the data.
type PutOptions struct {
	ContentType string
	// ETag replaces the MD5 ETag (a multipart object's); "" computes it.
	ETag  string
	Parts []int64
	Tags  map[string]string
	// Check, when set, decides under the store's lock whether the write
	// may happen, given the object it would replace (nil when none): a
	// conditional write (If-Match, If-None-Match) is then atomic.
	Check func(current *Object) error
}

// PutWith stores data under bucket/key as o says, replacing what was there.
func (s *Store) PutWith(bucketName, key string, data []byte, o PutOptions) (*Object, error) {
	etag := o.ETag
	if etag == "" {
		sum := md5.Sum(data)
		etag = `"` + hex.EncodeToString(sum[:]) + `"`
	}
	obj := &Object{Key: key, Data: data, ETag: etag, ContentType: o.ContentType, LastModified: s.now().UTC().Truncate(time.Second), Parts: o.Parts, Tags: o.Tags}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return nil, fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	if o.Check != nil {
		cur, err := s.currentLocked(b, key)
		if err != nil {
			return nil, err
		}
		if err := o.Check(cur); err != nil {
			return nil, err
		}
	}
	delete(b.lazy, key)
	b.objects[key] = obj
	return obj, nil
}

// currentLocked is the object at key, nil when there is none; a lazy
// object is made (under the lock: conditional writes of generated data
// are rare).
func (s *Store) currentLocked(b *bucket, key string) (*Object, error) {
	if o, ok := b.objects[key]; ok {
		return o, nil
	}
	if l, ok := b.lazy[key]; ok {
		return s.materialize(l, key)
	}
	return nil, nil
}

// Retag replaces the tag set of the object at bucket/key, keeping its
// data, ETag and dates, as S3's PutObjectTagging does.
func (s *Store) Retag(bucketName, key string, tags map[string]string) (*Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return nil, fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	cur, err := s.currentLocked(b, key)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, fmt.Errorf("%s/%s: %w", bucketName, key, ErrNoSuchKey)
	}
	o := *cur
	o.Tags = tags
	delete(b.lazy, key)
	b.objects[key] = &o
	return &o, nil
}

// PutLazy registers an object whose body make builds on first use, for
// large generated data that most runs never read.
func (s *Store) PutLazy(bucketName, key string, make func() ([]byte, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	delete(b.objects, key)
	b.lazy[key] = &lazy{make: make}
	return nil
}

// Get returns the object at bucket/key.
func (s *Store) Get(bucketName, key string) (*Object, error) {
	s.mu.RLock()
	b, ok := s.buckets[bucketName]
	if !ok {
		s.mu.RUnlock()
		return nil, fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	if o, ok := b.objects[key]; ok {
		s.mu.RUnlock()
		return o, nil
	}
	l, ok := b.lazy[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%s/%s: %w", bucketName, key, ErrNoSuchKey)
	}
	return s.materialize(l, key)
}

func (s *Store) materialize(l *lazy, key string) (*Object, error) {
	l.once.Do(func() {
		data, err := l.make()
		if err != nil {
			l.err = fmt.Errorf("generating %s: %w", key, err)
			return
		}
		sum := md5.Sum(data)
		l.obj = &Object{Key: key, Data: data, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, ContentType: "text/csv", LastModified: s.now().UTC().Truncate(time.Second)}
	})
	return l.obj, l.err
}

// Delete removes bucket/key; removing what is absent does nothing.
func (s *Store) Delete(bucketName, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucketName]
	if !ok {
		return fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	delete(b.objects, key)
	delete(b.lazy, key)
	return nil
}

// List returns the objects under prefix whose keys sort after startAfter,
// in key order, materializing lazy objects so that sizes are true.
func (s *Store) List(bucketName, prefix, startAfter string) ([]*Object, error) {
	s.mu.RLock()
	b, ok := s.buckets[bucketName]
	if !ok {
		s.mu.RUnlock()
		return nil, fmt.Errorf("%s: %w", bucketName, ErrNoSuchBucket)
	}
	var keys []string
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			keys = append(keys, k)
		}
	}
	lazies := map[string]*lazy{}
	for k, l := range b.lazy {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			keys = append(keys, k)
			lazies[k] = l
		}
	}
	objs := make(map[string]*Object, len(keys))
	for _, k := range keys {
		if o, ok := b.objects[k]; ok {
			objs[k] = o
		}
	}
	s.mu.RUnlock()
	sort.Strings(keys)
	out := make([]*Object, 0, len(keys))
	for _, k := range keys {
		o := objs[k]
		if o == nil {
			var err error
			if o, err = s.materialize(lazies[k], k); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// ParseURI splits s3://bucket/key into bucket and key.
func ParseURI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok || rest == "" {
		return "", "", fmt.Errorf("%q is not an s3:// location", uri)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", uri)
	}
	return bucket, key, nil
}
