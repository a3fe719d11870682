// Package stssrv is the sandbox's AWS STS: GetCallerIdentity, in the query
// protocol. Both clients quiltq meets speak that protocol to STS: the
// pinned aws-sdk-go-v2 STS client (v1.51.8) POSTs a form body
// "Action=GetCallerIdentity&Version=2011-06-15" with Content-Type
// application/x-www-form-urlencoded and reads an XML reply, and the AWS
// CLI 2.9 (botocore's "query" protocol for STS) sends the same. A
// presigned GetCallerIdentity carries the same parameters in its URL.
package stssrv

import (
	"encoding/xml"
	"net/http"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// Namespace is the XML namespace of STS replies.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Version is the STS API version clients send.
const Version = "2011-06-15"

// Config configures the service.
type Config struct {
	// Keys is the store of issued credentials.
	Keys *principal.Keys
}

// Service serves STS requests whose signature the sandbox has verified.
type Service struct {
	keys *principal.Keys
}

// New returns the STS service.
func New(cfg Config) *Service {
	return &Service{keys: cfg.Keys}
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Metadata struct {
		RequestID string `xml:"RequestId"`
	} `xml:"ResponseMetadata"`
}

// ServeAWS answers one STS request from caller c.
func (s *Service) ServeAWS(w http.ResponseWriter, r *http.Request, c principal.Caller) {
	// ParseForm reads the form body and the URL query alike; the router
	// then finds the action in r.Form for its logs.
	if err := r.ParseForm(); err != nil {
		writeError(w, wire.NewError(http.StatusBadRequest, "MalformedQueryString", "The query string or form body cannot be parsed."))
		return
	}
	action := r.Form.Get("Action")
	switch action {
	case "GetCallerIdentity":
		var resp getCallerIdentityResponse
		resp.Xmlns = Namespace
		resp.Result.Arn = c.ARN()
		resp.Result.UserID = c.UserID()
		resp.Result.Account = c.AccountID
		resp.Metadata.RequestID = wire.RequestID()
		wire.XML(w, resp)
	case "":
		writeError(w, wire.NewError(http.StatusBadRequest, "MissingAction", "Missing Action"))
	default:
		// InvalidAction (400) is the query protocol's code for an action
		// the API version lacks; the text is the sandbox's own.
		writeError(w, wire.NewError(http.StatusBadRequest, "InvalidAction", "Could not find operation "+action+" for version "+Version))
	}
}

func writeError(w http.ResponseWriter, e *wire.Error) {
	wire.QueryError(w, Namespace, e)
}
