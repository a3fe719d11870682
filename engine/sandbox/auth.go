package sandbox

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"github.com/quiltq/quiltq/engine/sandbox/principal"
	"github.com/quiltq/quiltq/engine/sandbox/sigv4"
	"github.com/quiltq/quiltq/engine/sandbox/wire"
)

// authenticate identifies the caller of a SigV4-signed request: it parses
// the signature, finds the access key among those the registry issued,
// checks the session token and its expiry, then verifies the signature.
// service is the credential scope's service, returned even on failure so
// that the error is written in that service's protocol. A failure is
// worded, coded and given the status AWS gives it in that protocol.
func authenticate(keys *principal.Keys, r *http.Request) (caller principal.Caller, service string, fail *wire.Error) {
	s, err := sigv4.Parse(r)
	service = s.Service
	if err != nil {
		return principal.Caller{}, service, authError(service, err)
	}
	cr, ok := keys.Lookup(s.AccessKeyID)
	if !ok {
		return principal.Caller{}, service, unknownKey(service)
	}
	switch {
	case s.SessionToken == "":
		// Every key the sandbox issues is temporary; without its token AWS
		// does not recognize it.
		return principal.Caller{}, service, unknownKey(service)
	case subtle.ConstantTimeCompare([]byte(s.SessionToken), []byte(cr.SessionToken)) != 1:
		return principal.Caller{}, service, invalidToken(service)
	case keys.Expired(cr):
		return principal.Caller{}, service, expiredToken(service)
	}
	if err := sigv4.Verify(r, s, cr.SecretAccessKey, keys.Now()); err != nil {
		return principal.Caller{}, service, authError(service, err)
	}
	return cr.Caller, service, nil
}

// The texts below are AWS's own, as clients and SDKs have recorded them:
//
//   - JSON protocol (Athena, Glue): UnrecognizedClientException "The
//     security token included in the request is invalid." (400, the
//     __type/message bodies quoted in aws/aws-sdk-php#2444 and
//     aws-azure-login#37); ExpiredTokenException "The security token
//     included in the request is expired" (400, DyfanJones/noctua#202 for
//     Athena); InvalidSignatureException with the signature-mismatch text
//     (400, teralytics/prometheus-ecs-discovery#7) and "Signature expired:
//     20140325T143453Z is now earlier than 20140325T143751Z
//     (20140325T145251Z - 15 min.)" (400, aws/aws-sdk-js#254).
//   - Query protocol (STS): InvalidClientTokenId "The security token
//     included in the request is invalid" (403; the raw XML in
//     aws-azure-login#251 has no final period, SDK renderings add one);
//     ExpiredToken "The security token included in the request is expired"
//     (403, aws/aws-sdk-java-v2#1649 and the raw XML in
//     cfn-sphere/cfn-sphere#55); SignatureDoesNotMatch (403), with the
//     "Signature expired: ..." text for skew (aws/aws-cli#6676).
//   - S3: InvalidAccessKeyId "The AWS Access Key Id you provided does not
//     exist in our records." (403, aws/aws-sdk-java-v2#1477); ExpiredToken
//     "The provided token has expired." (400, craftcms/aws-s3#182);
//     InvalidToken "The provided token is malformed or otherwise invalid."
//     (400, s3tools/s3cmd#297); SignatureDoesNotMatch "... Check your key
//     and signing method." (403, s3tools/s3cmd#1053); RequestTimeTooSkewed
//     "The difference between the request time and the current time is too
//     large." (403, aws/aws-cli#8662 and a raw body with
//     MaxAllowedSkewMilliseconds 900000); AccessDenied "Request has
//     expired" and "Request is not yet valid" for presigned URLs (403,
//     aws/aws-sdk-js#3493, dmjio/s3-signer#16).
const (
	msgTokenInvalidJSON  = "The security token included in the request is invalid."
	msgTokenInvalidQuery = "The security token included in the request is invalid"
	msgTokenExpired      = "The security token included in the request is expired"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgS3KeyUnknown      = "The AWS Access Key Id you provided does not exist in our records."
	msgS3TokenExpired    = "The provided token has expired."
	msgS3TokenInvalid    = "The provided token is malformed or otherwise invalid."
	msgS3SignatureWrong  = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)

func unknownKey(service string) *wire.Error {
	switch service {
	case "s3":
		return wire.NewError(http.StatusForbidden, "InvalidAccessKeyId", msgS3KeyUnknown)
	case "sts":
		return wire.NewError(http.StatusForbidden, "InvalidClientTokenId", msgTokenInvalidQuery)
	default:
		return wire.NewError(http.StatusBadRequest, "UnrecognizedClientException", msgTokenInvalidJSON)
	}
}

func invalidToken(service string) *wire.Error {
	if service == "s3" {
		return wire.NewError(http.StatusBadRequest, "InvalidToken", msgS3TokenInvalid)
	}
	return unknownKey(service)
}

func expiredToken(service string) *wire.Error {
	switch service {
	case "s3":
		return wire.NewError(http.StatusBadRequest, "ExpiredToken", msgS3TokenExpired)
	case "sts":
		return wire.NewError(http.StatusForbidden, "ExpiredToken", msgTokenExpired)
	default:
		return wire.NewError(http.StatusBadRequest, "ExpiredTokenException", msgTokenExpired)
	}
}

// authError words a sigv4 failure in the protocol of service.
func authError(service string, err error) *wire.Error {
	var e *sigv4.Error
	if !errors.As(err, &e) {
		e = &sigv4.Error{Kind: sigv4.Malformed, Message: "the request signature cannot be read"}
	}
	switch service {
	case "s3":
		return s3AuthError(e)
	case "sts":
		return queryAuthError(e)
	default:
		return jsonAuthError(e)
	}
}

func s3AuthError(e *sigv4.Error) *wire.Error {
	switch e.Kind {
	case sigv4.Mismatch:
		return wire.NewError(http.StatusForbidden, "SignatureDoesNotMatch", msgS3SignatureWrong)
	case sigv4.Skewed:
		return wire.NewError(http.StatusForbidden, "RequestTimeTooSkewed", e.Message)
	case sigv4.Expired, sigv4.NotYetValid:
		return wire.NewError(http.StatusForbidden, "AccessDenied", e.Message)
	case sigv4.ContentMismatch:
		return wire.NewError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", e.Message)
	case sigv4.MissingContentSHA256:
		return wire.NewError(http.StatusBadRequest, "InvalidRequest", e.Message)
	default:
		return wire.NewError(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+e.Message)
	}
}

func queryAuthError(e *sigv4.Error) *wire.Error {
	switch e.Kind {
	case sigv4.Mismatch, sigv4.ContentMismatch:
		return wire.NewError(http.StatusForbidden, "SignatureDoesNotMatch", msgSignatureMismatch)
	case sigv4.Skewed, sigv4.Expired, sigv4.NotYetValid:
		return wire.NewError(http.StatusForbidden, "SignatureDoesNotMatch", skewMessage(e))
	default:
		return wire.NewError(http.StatusBadRequest, "IncompleteSignature", e.Message)
	}
}

func jsonAuthError(e *sigv4.Error) *wire.Error {
	switch e.Kind {
	case sigv4.Mismatch, sigv4.ContentMismatch:
		return wire.NewError(http.StatusBadRequest, "InvalidSignatureException", msgSignatureMismatch)
	case sigv4.Skewed, sigv4.Expired, sigv4.NotYetValid:
		return wire.NewError(http.StatusBadRequest, "InvalidSignatureException", skewMessage(e))
	default:
		return wire.NewError(http.StatusBadRequest, "IncompleteSignatureException", e.Message)
	}
}

// skewMessage is the text the JSON and query protocols give a request
// outside the time window: "Signature expired: <request> is now earlier
// than <now - 15 min> (<now> - 15 min.)", or "Signature not yet current"
// for a request from the future.
func skewMessage(e *sigv4.Error) string {
	const f = sigv4.TimeFormat
	if e.RequestTime.After(e.ServerTime) {
		return fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			e.RequestTime.Format(f), e.ServerTime.Add(sigv4.MaxSkew).Format(f), e.ServerTime.Format(f))
	}
	return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
		e.RequestTime.Format(f), e.ServerTime.Add(-sigv4.MaxSkew).Format(f), e.ServerTime.Format(f))
}
