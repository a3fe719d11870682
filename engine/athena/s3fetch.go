package athena

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
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
// in parallel, without knowing the file's size beforehand: the first
// GET's Content-Range tells it, which saves the HeadObject round trip.
//
// Two budgets shape it. Options.S3Concurrency buffers of Options.S3PartSize
// bytes hold the parts being received or waiting to be read; a buffer is
// handed out in file order and comes back only when the reader is done
// with its part, so memory stays within S3Concurrency × S3PartSize however
// slow the reader. Beyond those, Options.S3ReadAhead more GETs are sent
// early: their round trips overlap the transfers in progress, and their
// bodies wait, unread, in the connection until a buffer is free, so that
// latency is hidden without holding more bytes. The reader takes a part's
// bytes as they arrive, not only once it is whole.
type partReader struct {
	c      *Client
	obj    s3Object
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	sized chan struct{} // closed once size and etag are known, or part 0 failed
	size  int64
	etag  string

	parts  chan *filePart // in file order, for the reader; closed after the last one
	grants chan *filePart // in file order, for the granter
	reqs   chan struct{}  // one token per part asked for and not yet read whole
	bufs   chan []byte    // the buffers not in use; S3Concurrency of them in all
	allocs int            // buffers made so far (for tests); touched by the granter only

	cur  *filePart
	off  int
	read int64
	err  error
}

// filePart is the byte range [start, end) of the file.
type filePart struct {
	start, end int64
	grant      chan []byte   // its buffer, once its turn comes
	signal     chan struct{} // pinged whenever filled, done or err change

	mu     sync.Mutex
	data   []byte // the buffer, len end-start, set once granted
	filled int    // bytes of data received
	done   bool   // every byte received, or err set
	err    error
}

func (pt *filePart) ping() {
	select {
	case pt.signal <- struct{}{}:
	default:
	}
}

// state reads what the reader may use of the part.
func (pt *filePart) state() (data []byte, filled int, done bool, err error) {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	return pt.data, pt.filled, pt.done, pt.err
}

func (pt *filePart) fail(err error) {
	pt.mu.Lock()
	pt.err, pt.done = err, true
	pt.mu.Unlock()
	pt.ping()
}

func newPart(start, end int64) *filePart {
	return &filePart{start: start, end: end, grant: make(chan []byte, 1), signal: make(chan struct{}, 1)}
}

func (c *Client) newPartReader(ctx context.Context, obj s3Object) *partReader {
	ctx, cancel := context.WithCancel(ctx)
	n := c.opts.S3Concurrency
	ahead := n + c.opts.S3ReadAhead
	p := &partReader{
		c: c, obj: obj, ctx: ctx, cancel: cancel,
		sized:  make(chan struct{}),
		parts:  make(chan *filePart, ahead),
		grants: make(chan *filePart, ahead),
		reqs:   make(chan struct{}, ahead),
		bufs:   make(chan []byte, n),
	}
	for range n {
		p.bufs <- nil
	}
	p.wg.Add(2)
	go p.dispatch()
	go p.grant()
	return p
}

// dispatch sends the GETs in file order, as many at once as reqs allows.
// The first asks for one part's worth from byte 0; the rest wait until its
// reply has told the file's size.
func (p *partReader) dispatch() {
	defer p.wg.Done()
	defer close(p.parts)
	defer close(p.grants)
	size := p.c.opts.S3PartSize
	for start := int64(0); ; start += size {
		if start > 0 {
			select {
			case <-p.sized:
			case <-p.ctx.Done():
				return
			}
			if start >= p.size {
				return
			}
		}
		select {
		case p.reqs <- struct{}{}:
		case <-p.ctx.Done():
			return
		}
		end := start + size
		if start > 0 {
			end = min(end, p.size)
		}
		pt := newPart(start, end)
		// A token is held from here until the reader is done with the
		// part, so parts and grants, as big as reqs, never fill up.
		for _, ch := range []chan *filePart{p.parts, p.grants} {
			select {
			case ch <- pt:
			case <-p.ctx.Done():
				return
			}
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.fetch(pt)
		}()
		if start == 0 {
			select {
			case <-p.sized:
			case <-p.ctx.Done():
				return
			}
			if p.size < 0 { // part 0 failed
				return
			}
		}
	}
}

// grant hands out buffers to the parts in file order, as the reader frees
// them. In-order hand-out is what keeps the pipeline from deadlocking: the
// part the reader waits for is always the next to get a buffer.
func (p *partReader) grant() {
	defer p.wg.Done()
	for pt := range p.grants {
		var buf []byte
		select {
		case buf = <-p.bufs:
		case <-p.ctx.Done():
			return
		}
		// Part 0's end is final only once the first reply told the size;
		// every later part is made after that.
		select {
		case <-p.sized:
		case <-p.ctx.Done():
			return
		}
		if n := int(pt.end - pt.start); cap(buf) < n {
			if buf == nil {
				p.allocs++
			}
			buf = make([]byte, n)
		}
		pt.grant <- buf[:pt.end-pt.start]
	}
}

// fetch receives the part: its GET first (which may run ahead of its
// buffer), then its bytes into its buffer once granted. A GET that fails,
// or whose body breaks off, is retried from the first byte not yet
// received, at most fetchMaxAttempts times in all.
func (p *partReader) fetch(pt *filePart) {
	got := pt.start
	var (
		body    io.ReadCloser
		last    error
		granted bool
	)
	defer func() {
		if body != nil {
			body.Close()
		}
	}()
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if attempt > fetchMaxAttempts {
				err := fmt.Errorf("gave up after %d attempts, with bytes %d-%d still missing: %w", fetchMaxAttempts, got, pt.end-1, last)
				p.partFailed(pt, err)
				return
			}
			if err := p.c.fetchPause(p.ctx, attempt-1); err != nil {
				p.partFailed(pt, err)
				return
			}
		}
		var err error
		body, err = p.getRange(pt, got)
		if err != nil {
			if p.ctx.Err() != nil || !fetchRetryable(err) {
				p.partFailed(pt, err)
				return
			}
			last = err
			continue
		}
		if !granted {
			select {
			case buf := <-pt.grant:
				granted = true
				pt.mu.Lock()
				pt.data = buf
				pt.mu.Unlock()
			case <-p.ctx.Done():
				p.partFailed(pt, p.ctx.Err())
				return
			}
		}
		err = p.receive(pt, body, &got)
		body.Close()
		body = nil
		if err == nil {
			pt.mu.Lock()
			pt.done = true
			pt.mu.Unlock()
			pt.ping()
			return
		}
		if p.ctx.Err() != nil {
			p.partFailed(pt, p.ctx.Err())
			return
		}
		last = err
	}
}

// receive copies body into the part's buffer from *got on, publishing each
// chunk as it lands. It fails with a bodyError if the body ends early.
func (p *partReader) receive(pt *filePart, body io.Reader, got *int64) error {
	for *got < pt.end {
		k, err := body.Read(pt.data[*got-pt.start:])
		if k > 0 {
			*got += int64(k)
			pt.mu.Lock()
			pt.filled = int(*got - pt.start)
			pt.mu.Unlock()
			pt.ping()
		}
		if err != nil {
			if *got == pt.end && err == io.EOF {
				return nil
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return bodyError{err}
		}
	}
	return nil
}

// partFailed records the part's error; for part 0 it also ends the wait
// for the file's size.
func (p *partReader) partFailed(pt *filePart, err error) {
	if pt.start == 0 {
		p.setSize(-1, "")
	}
	pt.fail(p.rangeErr(pt, err))
}

// setSize records the file's size and ETag from the first reply (or -1
// when part 0 failed) and releases the dispatcher.
func (p *partReader) setSize(size int64, etag string) {
	select {
	case <-p.sized:
	default:
		p.size, p.etag = size, etag
		close(p.sized)
	}
}

// getRange sends one ranged GET of [from, pt.end) and checks its reply,
// returning the body unread. The first reply of part 0 fixes the file's
// size and ETag (and part 0's end when the file is smaller than a part).
func (p *partReader) getRange(pt *filePart, from int64) (io.ReadCloser, error) {
	in := &s3.GetObjectInput{
		Bucket: aws.String(p.obj.Bucket),
		Key:    aws.String(p.obj.Key),
		Range:  aws.String(fmt.Sprintf("bytes=%d-%d", from, pt.end-1)),
	}
	known := p.known()
	if known && p.etag != "" {
		// S3 refuses with 412 if the object was replaced since the first reply.
		in.IfMatch = aws.String(p.etag)
	}
	out, err := p.c.s3.GetObject(p.ctx, in, s3WithErrorBody)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" || statusOf(err) == 412 {
			return nil, fmt.Errorf("%w (S3 refused If-Match %s)", errChanged, p.etag)
		}
		if !known && (errors.As(err, &ae) && ae.ErrorCode() == "InvalidRange" || statusOf(err) == 416) {
			// Byte 0 is past the end: an empty file, as HeadObject confirms.
			return p.emptyFile(pt)
		}
		return nil, err
	}
	etag := aws.ToString(out.ETag)
	if !known {
		size, err := totalSize(aws.ToString(out.ContentRange), out.ContentLength)
		if err != nil {
			out.Body.Close()
			return nil, err
		}
		pt.end = min(pt.end, size)
		p.setSize(size, etag)
	} else if p.etag != "" && etag != "" && etag != p.etag {
		// Compare the ETag ourselves too, for stores that ignore If-Match.
		out.Body.Close()
		return nil, fmt.Errorf("%w (ETag %s, then %s)", errChanged, p.etag, etag)
	}
	want := fmt.Sprintf("bytes %d-%d/%d", from, pt.end-1, p.size)
	if cr := aws.ToString(out.ContentRange); cr != want && !(cr == "" && from == 0 && pt.end == p.size && aws.ToInt64(out.ContentLength) == p.size) {
		out.Body.Close()
		return nil, fmt.Errorf("S3 answered the range with Content-Range %q, want %q", cr, want)
	}
	return out.Body, nil
}

// known reports whether the file's size is known yet.
func (p *partReader) known() bool {
	select {
	case <-p.sized:
		return true
	default:
		return false
	}
}

// emptyFile handles a 416 on the first GET: S3 refuses any range of an
// empty object. HeadObject tells an empty file from a real failure.
func (p *partReader) emptyFile(pt *filePart) (io.ReadCloser, error) {
	info, err := p.c.head(p.ctx, p.obj)
	if err != nil {
		return nil, err
	}
	if info.size != 0 {
		return nil, fmt.Errorf("S3 refused bytes 0-%d of a %d-byte file as out of range", pt.end-1, info.size)
	}
	pt.end = 0
	p.setSize(0, info.etag)
	return io.NopCloser(strings.NewReader("")), nil
}

// totalSize reads the file's size from a reply to the first ranged GET:
// "bytes 0-99/1234" says 1234; a store that ignores Range answers 200 with
// the whole object and its Content-Length.
func totalSize(contentRange string, contentLength *int64) (int64, error) {
	if contentRange == "" {
		if contentLength == nil {
			return 0, errors.New("S3 gave neither Content-Range nor Content-Length")
		}
		return *contentLength, nil
	}
	_, total, ok := strings.Cut(contentRange, "/")
	size, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil || size < 0 {
		return 0, fmt.Errorf("S3 answered with an unreadable Content-Range %q", contentRange)
	}
	return size, nil
}

func (p *partReader) rangeErr(pt *filePart, err error) error {
	size := "?"
	if p.known() && p.size >= 0 {
		size = strconv.FormatInt(p.size, 10)
	}
	op := fmt.Sprintf("reading %s bytes %d-%d of %s", p.obj, pt.start, pt.end-1, size)
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
		if p.cur == nil {
			pt, ok := <-p.parts
			if !ok {
				p.finish()
				continue
			}
			p.cur, p.off = pt, 0
		}
		data, filled, done, err := p.cur.state()
		switch {
		case p.off < filled:
			n := copy(b, data[p.off:filled])
			p.off += n
			p.read += int64(n)
			return n, nil
		case err != nil:
			p.err = err
		case done:
			p.release()
		default:
			select {
			case <-p.cur.signal:
			case <-p.ctx.Done():
				p.err = p.ctxErr()
			}
		}
	}
}

// finish ends the stream once every part has been read: io.EOF if every
// byte arrived, else why not.
func (p *partReader) finish() {
	switch {
	case p.ctx.Err() != nil:
		p.err = p.ctxErr()
	case !p.known() || p.read != p.size:
		p.err = &engine.Error{Op: "reading " + p.obj.String(), Kind: engine.Invalid,
			Err: fmt.Errorf("got %d of %d bytes", p.read, p.size)}
	default:
		p.err = io.EOF
	}
}

func (p *partReader) ctxErr() error {
	return resultErr("reading "+p.obj.String(), p.ctx.Err())
}

// release gives the buffer of the part just read back for the next part.
func (p *partReader) release() {
	data, _, _, _ := p.cur.state()
	p.cur = nil
	p.bufs <- data[:0] // never blocks: S3Concurrency buffers circulate, and bufs holds them all
	<-p.reqs
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
