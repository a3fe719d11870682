package wire

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJSONErrorShape(t *testing.T) {
	rec := httptest.NewRecorder()
	e := NewError(http.StatusBadRequest, "InvalidRequestException", "bad query")
	e.Fields = map[string]any{"AthenaErrorCode": "INVALID_INPUT"}
	JSONError(rec, e)
	if rec.Code != 400 || rec.Header().Get("X-Amzn-ErrorType") != "InvalidRequestException" {
		t.Errorf("status %d, X-Amzn-ErrorType %q", rec.Code, rec.Header().Get("X-Amzn-ErrorType"))
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["__type"] != "InvalidRequestException" || body["message"] != "bad query" || body["AthenaErrorCode"] != "INVALID_INPUT" {
		t.Errorf("body %v", body)
	}
}

func TestS3ErrorHasNoBodyOnHead(t *testing.T) {
	e := NewError(http.StatusForbidden, "AccessDenied", "Access Denied")
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		S3Error(rec, httptest.NewRequest(method, "/b/k", nil), e)
		if rec.Code != 403 {
			t.Errorf("%s: status %d, want 403", method, rec.Code)
		}
		body := rec.Body.String()
		if method == http.MethodHead && body != "" {
			t.Errorf("HEAD: body %q, want none", body)
		}
		if method == http.MethodGet && !strings.Contains(body, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>") {
			t.Errorf("GET: body %q lacks the S3 <Error>", body)
		}
	}
}

func TestQueryErrorShape(t *testing.T) {
	rec := httptest.NewRecorder()
	QueryError(rec, "https://sts.amazonaws.com/doc/2011-06-15/", NewError(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid"))
	body := rec.Body.String()
	for _, want := range []string{"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">", "<Type>Sender</Type>", "<Code>InvalidClientTokenId</Code>", "<RequestId>"} {
		if !strings.Contains(body, want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
}

func TestReadJSON(t *testing.T) {
	req := func(method, target, body string) *http.Request {
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		return r
	}
	var v struct{ Name string }
	op, err := ReadJSON(req("POST", "AWSGlue.GetTable", `{"Name":"t"}`), "AWSGlue.", 100, &v)
	if err != nil || op != "GetTable" || v.Name != "t" {
		t.Errorf("ReadJSON = %q, %v, %+v", op, err, v)
	}
	tests := []struct {
		r    *http.Request
		code string
	}{
		{req("GET", "AWSGlue.GetTable", ""), "UnknownOperationException"},
		{req("POST", "AmazonAthena.GetTable", ""), "UnknownOperationException"},
		{req("POST", "AWSGlue.GetTable", "{"), "SerializationException"},
		{req("POST", "AWSGlue.GetTable", strings.Repeat(" ", 101)), "SerializationException"},
	}
	for _, tc := range tests {
		if _, err := ReadJSON(tc.r, "AWSGlue.", 100, &v); err == nil || err.Code != tc.code {
			t.Errorf("%s %s: got %v, want %s", tc.r.Method, tc.r.Header.Get("X-Amz-Target"), err, tc.code)
		}
	}
}
