package athena

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/quiltq/quiltq/engine"
)

// s3Object is where a result file lives.
type s3Object struct{ Bucket, Key string }

func (o s3Object) String() string { return "s3://" + o.Bucket + "/" + o.Key }

// prefixARN names every object beside this one: what a policy grants for
// query results, as each query writes new objects.
func (o s3Object) prefixARN() string {
	if dir := path.Dir(o.Key); dir != "." {
		return "arn:aws:s3:::" + o.Bucket + "/" + dir + "/*"
	}
	return "arn:aws:s3:::" + o.Bucket + "/*"
}

// parseS3URL reads s3://bucket/key.
func parseS3URL(u string) (s3Object, error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return s3Object{}, fmt.Errorf("%q is not an s3://bucket/key URL", u)
	}
	return s3Object{Bucket: bucket, Key: key}, nil
}

// fetchMaxAttempts bounds the requests made for one byte range (or one
// HeadObject), counting those the SDK's own retryer made as one.
const fetchMaxAttempts = 10

// objectInfo is what HeadObject says of the result file.
type objectInfo struct {
	size int64
	etag string
}

// head reads the result file's size and ETag, retrying throttling, 5xx
// and broken connections.
func (c *Client) head(ctx context.Context, obj s3Object) (objectInfo, error) {
	for attempt := 1; ; attempt++ {
		out, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}, s3WithErrorBody)
		if err == nil {
			if out.ContentLength == nil {
				return objectInfo{}, &engine.Error{Op: "HeadObject " + obj.String(), Kind: engine.Invalid, Err: errors.New("S3 gave no Content-Length")}
			}
			return objectInfo{size: *out.ContentLength, etag: aws.ToString(out.ETag)}, nil
		}
		if ctx.Err() != nil || !fetchRetryable(err) || attempt == fetchMaxAttempts {
			if attempt > 1 && fetchRetryable(err) {
				err = fmt.Errorf("gave up after %d attempts: %w", attempt, err)
			}
			return objectInfo{}, resultErr("HeadObject "+obj.String(), err)
		}
		if err := c.fetchPause(ctx, attempt); err != nil {
			return objectInfo{}, resultErr("HeadObject "+obj.String(), err)
		}
	}
}

// getSmall reads a whole small object (the metadata file), refusing one
// over limit bytes.
func (c *Client) getSmall(ctx context.Context, obj s3Object, limit int64) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		b, err := c.getSmallOnce(ctx, obj, limit)
		if err == nil {
			return b, nil
		}
		if ctx.Err() != nil || !fetchRetryable(err) || attempt == fetchMaxAttempts {
			return nil, resultErr("GetObject "+obj.String(), err)
		}
		if err := c.fetchPause(ctx, attempt); err != nil {
			return nil, resultErr("GetObject "+obj.String(), err)
		}
	}
}

func (c *Client) getSmallOnce(ctx context.Context, obj s3Object, limit int64) ([]byte, error) {
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}, s3WithErrorBody)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	if n := aws.ToInt64(out.ContentLength); n > limit {
		return nil, fmt.Errorf("%d bytes, more than the %d expected", n, limit)
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, bodyError{err}
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("more than the %d bytes expected", limit)
	}
	if n := out.ContentLength; n != nil && *n != int64(len(b)) {
		return nil, bodyError{fmt.Errorf("got %d of %d bytes: %w", len(b), *n, io.ErrUnexpectedEOF)}
	}
	return b, nil
}

// bodyError marks a failure while reading a reply's body (a cut
// connection, a short body): the request itself was accepted, so trying
// again is safe and likely to work.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// errChanged says the result file was rewritten while it was read.
var errChanged = errors.New("the result file changed while it was read")

// partReader delivers a result file's bytes in order from ranged GETs run
// in parallel. A dispatcher starts one fetch per part as long as fewer
// than S3Concurrency parts are in memory (being fetched, waiting, or being
// read); a part's slot is freed only when the reader is done with it, so
// memory stays within S3Concurrency × S3PartSize however slow the reader.
type partReader struct {
	c      *Client
	obj    s3Object
	info   objectInfo
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	parts chan *filePart // in file order; closed after the last one
	slots chan struct{}  // one token per part in memory
	free  chan []byte    // buffers of finished parts, for reuse

	cur  *filePart
	off  int
	read int64
	err  error
}

// filePart is one byte range [start, end) of the file; ready is closed once
// data or err is set.
type filePart struct {
	start, end int64
	ready      chan struct{}
	data       []byte
	err        error
}

func (c *Client) newPartReader(ctx context.Context, obj s3Object, info objectInfo) *partReader {
	ctx, cancel := context.WithCancel(ctx)
	n := c.opts.S3Concurrency
	p := &partReader{
		c: c, obj: obj, info: info, ctx: ctx, cancel: cancel,
		parts: make(chan *filePart, n),
		slots: make(chan struct{}, n),
		free:  make(chan []byte, n),
	}
	p.wg.Add(1)
	go p.dispatch()
	return p
}

func (p *partReader) dispatch() {
	defer p.wg.Done()
	defer close(p.parts)
	size := p.c.opts.S3PartSize
	for start := int64(0); start < p.info.size; start += size {
		select {
		case p.slots <- struct{}{}:
		case <-p.ctx.Done():
			return
		}
		pt := &filePart{start: start, end: min(start+size, p.info.size), ready: make(chan struct{})}
		var buf []byte
		select {
		case buf = <-p.free:
		default:
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			pt.data, pt.err = p.fetch(pt.start, pt.end, buf)
			close(pt.ready)
		}()
		// parts has room for every slot, so this never blocks for long.
		select {
		case p.parts <- pt:
		case <-p.ctx.Done():
			return
		}
	}
}

// fetch reads [start, end) into buf (reallocated when too small). A GET
// that fails, or whose body breaks off, is retried from the first byte
// not yet received, at most fetchMaxAttempts times in all.
func (p *partReader) fetch(start, end int64, buf []byte) ([]byte, error) {
	n := int(end - start)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	got := start
	var last error
	for attempt := 1; got < end; attempt++ {
		if attempt > 1 {
			if attempt > fetchMaxAttempts {
				return nil, p.rangeErr(start, end, fmt.Errorf("gave up after %d attempts, with bytes %d-%d still missing: %w", fetchMaxAttempts, got, end-1, last))
			}
			if err := p.c.fetchPause(p.ctx, attempt-1); err != nil {
				return nil, p.rangeErr(start, end, err)
			}
		}
		k, err := p.getRange(got, end, buf[got-start:])
		got += int64(k)
		if err == nil {
			continue
		}
		if p.ctx.Err() != nil {
			return nil, p.rangeErr(start, end, p.ctx.Err())
		}
		if !fetchRetryable(err) {
			return nil, p.rangeErr(start, end, err)
		}
		last = err
	}
	return buf, nil
}

// getRange makes one ranged GET of [from, end) into dst, returning how
// many bytes arrived.
func (p *partReader) getRange(from, end int64, dst []byte) (int, error) {
	in := &s3.GetObjectInput{
		Bucket: aws.String(p.obj.Bucket),
		Key:    aws.String(p.obj.Key),
		Range:  aws.String(fmt.Sprintf("bytes=%d-%d", from, end-1)),
	}
	if p.info.etag != "" {
		// S3 refuses with 412 if the object was replaced since HeadObject.
		in.IfMatch = aws.String(p.info.etag)
	}
	out, err := p.c.s3.GetObject(p.ctx, in, s3WithErrorBody)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" || statusOf(err) == 412 {
			return 0, fmt.Errorf("%w (S3 refused If-Match %s)", errChanged, p.info.etag)
		}
		return 0, err
	}
	defer out.Body.Close()
	// Also compare the ETag ourselves, for stores that ignore If-Match.
	if etag := aws.ToString(out.ETag); p.info.etag != "" && etag != "" && etag != p.info.etag {
		return 0, fmt.Errorf("%w (ETag %s, then %s)", errChanged, p.info.etag, etag)
	}
	want := fmt.Sprintf("bytes %d-%d/%d", from, end-1, p.info.size)
	if cr := aws.ToString(out.ContentRange); cr != want {
		return 0, fmt.Errorf("S3 answered the range with Content-Range %q, want %q", cr, want)
	}
	k, err := io.ReadFull(out.Body, dst)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return k, bodyError{err}
	}
	return k, nil
}

func (p *partReader) rangeErr(start, end int64, err error) error {
	op := fmt.Sprintf("reading %s bytes %d-%d of %d", p.obj, start, end-1, p.info.size)
	if errors.Is(err, errChanged) {
		return &engine.Error{Op: op, Kind: engine.Failed, Err: fmt.Errorf("%w: run the query again", err)}
	}
	return resultErr(op, err)
}

// Read delivers the file's bytes in order. It returns io.EOF only once
// every byte of the file has been delivered.
func (p *partReader) Read(b []byte) (int, error) {
	for {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur != nil && p.off < len(p.cur.data) {
			n := copy(b, p.cur.data[p.off:])
			p.off += n
			p.read += int64(n)
			return n, nil
		}
		p.release()
		var pt *filePart
		var ok bool
		select {
		case pt, ok = <-p.parts:
		case <-p.ctx.Done():
			p.err = p.ctxErr()
			continue
		}
		if !ok {
			if p.ctx.Err() != nil {
				p.err = p.ctxErr()
			} else if p.read != p.info.size {
				p.err = &engine.Error{Op: "reading " + p.obj.String(), Kind: engine.Invalid,
					Err: fmt.Errorf("got %d of %d bytes", p.read, p.info.size)}
			} else {
				p.err = io.EOF
			}
			continue
		}
		select {
		case <-pt.ready:
		case <-p.ctx.Done():
			p.err = p.ctxErr()
			continue
		}
		if pt.err != nil {
			p.err = pt.err
			continue
		}
		p.cur, p.off = pt, 0
	}
}

func (p *partReader) ctxErr() error {
	return resultErr("reading "+p.obj.String(), p.ctx.Err())
}

// release frees the slot of the part just read, keeping its buffer.
func (p *partReader) release() {
	if p.cur == nil {
		return
	}
	select {
	case p.free <- p.cur.data[:0]:
	default:
	}
	p.cur = nil
	<-p.slots
}

// Close stops the fetches and waits for them.
func (p *partReader) Close() error {
	p.cancel()
	p.wg.Wait()
	if p.err == nil {
		p.err = errors.New("read after Close")
	}
	return nil
}
