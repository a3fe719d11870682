package s3srv

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quiltq/quiltq/engine/sandbox/objstore"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// minPartSize is S3's smallest part, save the last.
const minPartSize = 5 << 20

// upload is a multipart upload in progress.
type upload struct {
	bucket, key, contentType string
	alg                      string // checksum algorithm chosen at creation, or ""
	initiated                time.Time
	parts                    map[int]part
}

type part struct {
	data []byte
	etag string
	sum  checksum
	at   time.Time // when it was uploaded
}

type initiateResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (q *req) createMultipartUpload() {
	if !q.allow("s3:PutObject", q.objectARN(), nil) || !q.exists() {
		return
	}
	alg := strings.ToUpper(q.r.Header.Get("x-amz-checksum-algorithm"))
	if alg != "" && newHash(alg) == nil {
		q.fail(wire.NewError(http.StatusBadRequest, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"))
		return
	}
	ct := q.r.Header.Get("Content-Type")
	if ct == "" {
		ct = "binary/octet-stream"
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	q.svc.mu.Lock()
	q.svc.uploads[id] = &upload{bucket: q.bucket, key: q.key, contentType: ct, alg: alg, initiated: time.Now(), parts: map[int]part{}}
	q.svc.mu.Unlock()
	if alg != "" {
		q.w.Header().Set("x-amz-checksum-algorithm", alg)
		q.w.Header().Set("x-amz-checksum-type", "COMPOSITE")
	}
	wire.XML(q.w, initiateResult{Bucket: q.bucket, Key: q.key, UploadID: id})
}

// findUpload returns the upload named by the request, answering
// NoSuchUpload when there is none for this bucket and key.
func (q *req) findUpload() (string, *upload, bool) {
	id := q.r.URL.Query().Get("uploadId")
	q.svc.mu.Lock()
	u, ok := q.svc.uploads[id]
	q.svc.mu.Unlock()
	if !ok || u.bucket != q.bucket || u.key != q.key {
		e := wire.NewError(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
		e.Resource = q.key
		q.fail(e)
		return "", nil, false
	}
	return id, u, true
}

func (q *req) uploadPart() {
	if !q.allow("s3:PutObject", q.objectARN(), nil) {
		return
	}
	_, u, ok := q.findUpload()
	if !ok {
		return
	}
	n, err := strconv.Atoi(q.r.URL.Query().Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		q.fail(wire.NewError(http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"))
		return
	}
	data, sum, werr := q.readBody()
	if werr != nil {
		q.fail(werr)
		return
	}
	if u.alg != "" && sum.alg == "" {
		sum = checksum{alg: u.alg, value: compute(u.alg, data)}
	}
	m := md5.Sum(data)
	p := part{data: data, etag: `"` + hex.EncodeToString(m[:]) + `"`, sum: sum, at: time.Now()}
	q.svc.mu.Lock()
	u.parts[n] = p
	q.svc.mu.Unlock()
	q.w.Header().Set("ETag", p.etag)
	if sum.alg != "" {
		q.w.Header().Set(sum.header(), sum.value)
	}
	q.w.WriteHeader(http.StatusOK)
}

type completeRequest struct {
	Parts []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeResult struct {
	XMLName        xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
	Location       string   `xml:"Location"`
	Bucket         string   `xml:"Bucket"`
	Key            string   `xml:"Key"`
	ETag           string   `xml:"ETag"`
	ChecksumCRC32  string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64  string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1   string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256 string   `xml:"ChecksumSHA256,omitempty"`
	ChecksumType   string   `xml:"ChecksumType,omitempty"`
}

func (q *req) completeMultipartUpload() {
	if !q.allow("s3:PutObject", q.objectARN(), nil) {
		return
	}
	check, werr := q.writeCheck()
	if werr != nil {
		q.fail(werr)
		return
	}
	id, u, ok := q.findUpload()
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(q.r.Body, 1<<20))
	var in completeRequest
	if err == nil {
		err = xml.Unmarshal(body, &in)
	}
	if err != nil || len(in.Parts) == 0 {
		q.fail(wire.NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"))
		return
	}
	q.svc.mu.Lock()
	parts := make([]part, 0, len(in.Parts))
	for i := 1; i < len(in.Parts); i++ {
		if in.Parts[i].PartNumber <= in.Parts[i-1].PartNumber {
			werr = wire.NewError(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
		}
	}
	for i, p := range in.Parts {
		if werr != nil {
			break
		}
		got, ok := u.parts[p.PartNumber]
		switch {
		case !ok || strings.Trim(p.ETag, `"`) != strings.Trim(got.etag, `"`):
			werr = wire.NewError(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		case i < len(in.Parts)-1 && len(got.data) < minPartSize:
			werr = wire.NewError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
		}
		parts = append(parts, got)
	}
	q.svc.mu.Unlock()
	if werr != nil {
		q.fail(werr)
		return
	}
	var data []byte
	etags := md5.New()
	sums := make([]checksum, 0, len(parts))
	sizes := make([]int64, 0, len(parts))
	for _, p := range parts {
		data = append(data, p.data...)
		raw, _ := hex.DecodeString(strings.Trim(p.etag, `"`))
		etags.Write(raw)
		sums = append(sums, p.sum)
		sizes = append(sizes, int64(len(p.data)))
	}
	// A multipart object's ETag is the MD5 of its parts' MD5s, then "-"
	// and the part count; clients (the AWS CLI's s3 sync) rely on the
	// form. The object keeps it, so that HEAD, GET and listings report
	// the ETag the completion did.
	etag := `"` + hex.EncodeToString(etags.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
	o, err := q.svc.cfg.Store.PutWith(u.bucket, u.key, data, objstore.PutOptions{ContentType: u.contentType, ETag: etag, Parts: sizes, Check: check})
	if err != nil {
		// A failed condition leaves the upload to complete again later.
		q.fail(q.writeFailure(err))
		return
	}
	q.svc.mu.Lock()
	delete(q.svc.uploads, id)
	q.svc.mu.Unlock()
	out := completeResult{Location: "/" + u.bucket + "/" + u.key, Bucket: u.bucket, Key: u.key, ETag: o.ETag}
	sum := checksum{}
	if u.alg != "" {
		sum = checksum{alg: u.alg, value: composite(u.alg, sums), kind: "COMPOSITE"}
		switch u.alg {
		case "CRC32":
			out.ChecksumCRC32 = sum.value
		case "CRC32C":
			out.ChecksumCRC32C = sum.value
		case "CRC64NVME":
			out.ChecksumCRC64 = sum.value
		case "SHA1":
			out.ChecksumSHA1 = sum.value
		case "SHA256":
			out.ChecksumSHA256 = sum.value
		}
		out.ChecksumType = sum.kind
	}
	q.svc.remember(u.bucket, o, sum)
	wire.XML(q.w, out)
}

func (q *req) abortMultipartUpload() {
	if !q.allow("s3:AbortMultipartUpload", q.objectARN(), nil) {
		return
	}
	id, _, ok := q.findUpload()
	if !ok {
		return
	}
	q.svc.mu.Lock()
	delete(q.svc.uploads, id)
	q.svc.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}
