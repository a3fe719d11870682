package explain

import (
	"strings"
)

// Codes and phrases by category. Codes are compared without case; phrases
// are matched without case anywhere in the text. The order of the checks
// in categorize matters more than any one list: see there.
var (
	credentialCodes = []string{
		"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
		"UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException",
		"InvalidAccessKeyId", "InvalidToken", "IncompleteSignature", "IncompleteSignatureException",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "AuthFailure",
		"NoCredentialProviders", "NoCredentialsError", "ExpiredTokenError", "UnauthorizedSSOTokenError",
		"TokenRefreshRequired", "IDPRejectedClaim", "InvalidIdentityToken", "InvalidIdentityTokenException",
	}
	reCredentials = lazy(`(?i)security token included in the request is (?:expired|invalid)` +
		`|provided token (?:has expired|is malformed)|token has expired|Access Key Id you provided does not exist` +
		`|request signature we calculated does not match|Signature expired|Request has expired` +
		`|failed to refresh cached credentials|no valid credential sources|Unable to locate credentials` +
		`|failed to retrieve credentials|NoCredentialProviders|Unable to load (?:AWS )?credentials` +
		`|SSO session associated with this profile has expired|token included in the request is expired`)

	throttlingCodes = []string{
		"ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown",
		"RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled",
		"RequestThrottledException", "ThrottledException", "TooManyRequests",
	}
	reThrottling = lazy(`(?i)Rate exceeded|rate limit exceeded|reduce your request rate|too many requests|throttl` +
		`|exceeded the rate at which you may call|exceeded the limit for the number of queries you can run concurrently`)

	permissionCodes = []string{
		"AccessDenied", "AccessDeniedException", "Forbidden", "UnauthorizedOperation",
		"AuthorizationError", "AuthorizationErrorException", "UnauthorizedException",
		"AllAccessDisabled", "InsufficientPermissions", "AccessDeniedError", "KMSAccessDeniedException",
		"InsufficientPermissionsException", "AccessDeniedFault",
	}
	rePermission = lazy(`(?i)not authorized to perform|You are not authorized to perform` +
		`|Insufficient permissions|Insufficient \w+ permissions|Insufficient Lake Formation permission|Permission denied on S3 path` +
		`|requester is not authorized to access requested permissions|do not seem to have access to the S3 location|ciphertext refers to a` +
		`|\b(?:AccessDenied(?:Exception)?|UnauthorizedOperation|KMSAccessDenied(?:Exception)?)\b` +
		`|Access denied when writing|PERMISSION_DENIED|\baccess denied\b|you are not allowed to access` +
		`|do not have (?:sufficient|the required|the necessary) (?:access|permissions?)|Encoded authorization failure message` +
		`|not authorized to create partitions`)
	// A federated source's own database refusing its connector: a
	// permission problem, but not AWS's, and no IAM statement fixes it.
	reSourceDenied = lazy(`(?i)access denied for user '`)

	notFoundCodes = []string{
		"EntityNotFoundException", "NoSuchKey", "NoSuchBucket", "NoSuchEntity", "NoSuchEntityException",
		"ResourceNotFoundException", "NotFound", "NotFoundException", "NoSuchUpload",
	}
	reNotFound = lazy(`(?i)TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|COLUMN_NOT_FOUND|CATALOG_NOT_FOUND` +
		`|does not exist|not found|cannot be resolved|no such`)

	reSyntax = lazy(`(?i)SYNTAX_ERROR|mismatched input|extraneous input|no viable alternative` +
		`|missing '[^']*' at|Queries of this type are not supported|Only one sql statement is allowed`)

	limitCodes = []string{"LimitExceededException", "ServiceQuotaExceededException", "TooManyRequestsLimit",
		"ResourceNumberLimitExceededException", "EntityTooLarge"}
	reLimit = lazy(`(?i)exhausted resources|Bytes scanned limit|EXCEEDED_\w*LIMIT|Query timeout` +
		`|exceeded the maximum|limit exceeded|quota exceeded`)

	configCodes = []string{"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
		"RegionDisabledException", "KMSInvalidStateException", "DisabledException", "KMSDisabledException"}
	reConfig = lazy(`(?i)No output location provided|Unable to verify/create output bucket` +
		`|S3 location provided to save your query results is invalid|must be addressed using the specified endpoint` +
		`|is pending deletion|is not activated in this region|STS is not activated` +
		`|WorkGroup \S+ is disabled|RequestTimeTooSkewed|request time and the current time is too large` +
		`|could not find region|MissingRegion|Invalid region|config profile \S* could not be found` +
		// A CTAS that sets its own location in a workgroup that enforces
		// the workgroup's (Athena User Guide, "Troubleshooting workgroups").
		`|submitted with an 'external_location' property to an Athena Workgroup that enforces` +
		`|Value null at 'outputLocation'`)
)

// categorize decides the category. Credentials come first: an expired
// token is sometimes sent as AccessDeniedException (Neptune does), and no
// policy fixes it. Throttling comes before permission for the same reason.
// Permission comes before not-found because S3 refuses to say whether an
// object exists to a caller who may not list the bucket.
func categorize(d *Denial, s string, env envelope) string {
	switch {
	case hasCode(env.codes, credentialCodes) || reCredentials.MatchString(s):
		return CategoryCredentials
	case hasCode(env.codes, throttlingCodes) || reThrottling.MatchString(s) || env.status == "429":
		return CategoryThrottling
	case reSourceDenied.MatchString(s):
		return CategoryOther
	case hasCode(env.codes, configCodes) || reConfig.MatchString(s):
		// Before permission: "Unable to verify/create output bucket"
		// stands for a missing bucket, a bucket in another region or a
		// refusal alike, and the workgroup's settings are where to look.
		return CategoryConfig
	case len(d.Actions) > 0 || d.PolicyType != "" || hasCode(env.codes, permissionCodes) ||
		rePermission.MatchString(s) || env.status == "403" || env.code == "403":
		return CategoryPermission
	case hasCode(env.codes, notFoundCodes) || reNotFound.MatchString(s) || env.status == "404" || env.code == "404":
		return CategoryNotFound
	case reSyntax.MatchString(s):
		return CategorySyntax
	case hasCode(env.codes, limitCodes) || reLimit.MatchString(s):
		return CategoryLimit
	case env.hasAthenaType:
		return athenaErrorCategory(env.athenaType)
	}
	return CategoryOther
}

// athenaErrorCategory maps AthenaError.ErrorType (Athena's error catalog)
// to a category, for query failures whose reason text says too little.
func athenaErrorCategory(t int) string {
	switch {
	case t == 1500 || t == 1501 || t == 234:
		return CategoryPermission // permission, S3 permission, Lake Formation
	case t >= 1400 && t <= 1406:
		return CategoryThrottling
	case t == 1306 || t == 1110:
		return CategoryNotFound // S3 bucket, table or view
	case t == 1006:
		return CategorySyntax
	case t >= 0 && t <= 8:
		return CategoryLimit // query exhausted resources
	}
	return CategoryOther
}

func hasCode(codes, set []string) bool {
	for _, c := range codes {
		for _, s := range set {
			if strings.EqualFold(c, s) {
				return true
			}
		}
	}
	return false
}
