// Package wire writes the sandbox's AWS replies in the shapes each AWS
// protocol uses: JSON 1.1 (Athena, Glue), REST-XML (S3) and the query
// protocol (STS). Errors carry AWS's codes and HTTP statuses, so that SDKs
// and the AWS CLI parse them as they parse AWS's own.
package wire

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Error is an AWS API error.
type Error struct {
	Status  int    // HTTP status
	Code    string // AccessDeniedException, AccessDenied, InvalidRequestException, ...
	Message string
	// Sender is true for client faults (the query protocol's Type).
	Sender bool
	// Fields are extra JSON members of a JSON 1.1 error body
	// ("AthenaErrorCode", "ErrorCode").
	Fields map[string]any
	// Resource names the object or bucket in an S3 error body.
	Resource string
	// Details are further elements of an S3 error body, in order, such as
	// PreconditionFailed's <Condition>If-Match</Condition> or
	// InvalidArgument's <ArgumentName>.
	Details []Detail
}

// Detail is one extra element of an S3 error body.
type Detail struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewError returns a client-fault error.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message, Sender: status < 500}
}

// RequestID returns a fresh request id, formatted as AWS formats them.
func RequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// JSON writes a JSON 1.1 success reply.
func JSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		JSONError(w, NewError(http.StatusInternalServerError, "InternalServerException", "sandbox: cannot encode reply: "+err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("X-Amzn-RequestId", RequestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// JSONError writes a JSON 1.1 error: the code in "__type" and in the
// X-Amzn-ErrorType header, the text in "message" (AWS services differ in
// the capitalization; SDKs accept both).
func JSONError(w http.ResponseWriter, e *Error) {
	body := map[string]any{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("X-Amzn-RequestId", RequestID())
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// S3Error writes an S3 REST-XML error. A reply to HEAD has no body, as
// S3's has none: clients see only the status.
func S3Error(w http.ResponseWriter, r *http.Request, e *Error) {
	id := RequestID()
	w.Header().Set("x-amz-request-id", id)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	var buf strings.Builder
	buf.WriteString(xml.Header + "<Error>")
	elem := func(name, value string) {
		buf.WriteString("<" + name + ">")
		_ = xml.EscapeText(&buf, []byte(value))
		buf.WriteString("</" + name + ">")
	}
	elem("Code", e.Code)
	elem("Message", e.Message)
	for _, d := range e.Details {
		elem(d.Name, d.Value)
	}
	if e.Resource != "" {
		elem("Resource", e.Resource)
	}
	elem("RequestId", id)
	elem("HostId", hostID())
	buf.WriteString("</Error>")
	b := []byte(buf.String())
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// XML writes a REST-XML or query-protocol success reply.
func XML(w http.ResponseWriter, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "sandbox: cannot encode reply", http.StatusInternalServerError)
		return
	}
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

type queryErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// QueryError writes a query-protocol (STS, IAM) error.
func QueryError(w http.ResponseWriter, xmlns string, e *Error) {
	var r queryErrorResponse
	r.Xmlns = xmlns
	r.Error.Type = "Receiver"
	if e.Sender {
		r.Error.Type = "Sender"
	}
	r.Error.Code, r.Error.Message = e.Code, e.Message
	r.RequestID = RequestID()
	b, _ := xml.Marshal(r)
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func hostID() string {
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ReadJSON reads a JSON 1.1 request: a POST whose X-Amz-Target is
// targetPrefix followed by the operation name, and whose body (at most
// limit bytes) decodes into v. It returns the operation name, or the error
// to answer with.
func ReadJSON(r *http.Request, targetPrefix string, limit int64, v any) (string, *Error) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	if r.Method != http.MethodPost || !ok || op == "" {
		return "", NewError(http.StatusBadRequest, "UnknownOperationException", "the sandbox does not serve the operation "+target)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return "", NewError(http.StatusBadRequest, "SerializationException", "cannot read the request body: "+err.Error())
	}
	if int64(len(body)) > limit {
		return "", NewError(http.StatusRequestEntityTooLarge, "SerializationException", fmt.Sprintf("the request body is larger than %d bytes", limit))
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			return "", NewError(http.StatusBadRequest, "SerializationException", "the request body is not valid JSON: "+err.Error())
		}
	}
	return op, nil
}
