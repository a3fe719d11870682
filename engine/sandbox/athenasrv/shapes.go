package athenasrv

import (
	"strconv"
	"time"
)

// The reply shapes below carry Athena's member names; absent members are
// left out, as Athena leaves them out.

// epoch is a JSON 1.1 timestamp: seconds since the epoch with a
// millisecond fraction.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return []byte(strconv.FormatInt(ms/1000, 10) + "." + pad3(ms%1000)), nil
}

func pad3(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func stamp(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type queryExecutionContext struct {
	Database string `json:"Database,omitempty"`
	Catalog  string `json:"Catalog,omitempty"`
}

type encryptionConfiguration struct {
	EncryptionOption string `json:"EncryptionOption,omitempty"`
	KmsKey           string `json:"KmsKey,omitempty"`
}

type resultConfiguration struct {
	OutputLocation          string                   `json:"OutputLocation,omitempty"`
	EncryptionConfiguration *encryptionConfiguration `json:"EncryptionConfiguration,omitempty"`
}

type engineVersion struct {
	SelectedEngineVersion  string `json:"SelectedEngineVersion"`
	EffectiveEngineVersion string `json:"EffectiveEngineVersion"`
}

// athenaEngine is the engine version every sandbox workgroup reports.
func athenaEngine() *engineVersion {
	return &engineVersion{SelectedEngineVersion: "AUTO", EffectiveEngineVersion: "Athena engine version 3"}
}

type athenaError struct {
	ErrorCategory int    `json:"ErrorCategory"`
	ErrorType     int    `json:"ErrorType"`
	Retryable     bool   `json:"Retryable"`
	ErrorMessage  string `json:"ErrorMessage"`
}

type queryExecutionStatus struct {
	State              string       `json:"State"`
	StateChangeReason  string       `json:"StateChangeReason,omitempty"`
	SubmissionDateTime *epoch       `json:"SubmissionDateTime,omitempty"`
	CompletionDateTime *epoch       `json:"CompletionDateTime,omitempty"`
	AthenaError        *athenaError `json:"AthenaError,omitempty"`
}

type resultReuseByAge struct {
	Enabled         bool `json:"Enabled"`
	MaxAgeInMinutes *int `json:"MaxAgeInMinutes,omitempty"`
}

type resultReuseConfiguration struct {
	ResultReuseByAgeConfiguration *resultReuseByAge `json:"ResultReuseByAgeConfiguration,omitempty"`
}

type queryExecutionStatistics struct {
	EngineExecutionTimeInMillis      int64 `json:"EngineExecutionTimeInMillis"`
	DataScannedInBytes               int64 `json:"DataScannedInBytes"`
	TotalExecutionTimeInMillis       int64 `json:"TotalExecutionTimeInMillis"`
	QueryQueueTimeInMillis           int64 `json:"QueryQueueTimeInMillis"`
	ServicePreProcessingTimeInMillis int64 `json:"ServicePreProcessingTimeInMillis"`
	QueryPlanningTimeInMillis        int64 `json:"QueryPlanningTimeInMillis"`
	ServiceProcessingTimeInMillis    int64 `json:"ServiceProcessingTimeInMillis"`
	ResultReuseInformation           struct {
		ReusedPreviousResult bool `json:"ReusedPreviousResult"`
	} `json:"ResultReuseInformation"`
}

type queryExecution struct {
	QueryExecutionID         string                    `json:"QueryExecutionId"`
	Query                    string                    `json:"Query"`
	StatementType            string                    `json:"StatementType,omitempty"`
	ResultConfiguration      *resultConfiguration      `json:"ResultConfiguration,omitempty"`
	QueryExecutionContext    *queryExecutionContext    `json:"QueryExecutionContext,omitempty"`
	Status                   queryExecutionStatus      `json:"Status"`
	Statistics               *queryExecutionStatistics `json:"Statistics,omitempty"`
	WorkGroup                string                    `json:"WorkGroup"`
	EngineVersion            *engineVersion            `json:"EngineVersion,omitempty"`
	SubstatementType         string                    `json:"SubstatementType,omitempty"`
	ExecutionParameters      []string                  `json:"ExecutionParameters,omitempty"`
	ResultReuseConfiguration *resultReuseConfiguration `json:"ResultReuseConfiguration,omitempty"`
}

type queryRuntimeTimeline struct {
	QueryQueueTimeInMillis           int64 `json:"QueryQueueTimeInMillis"`
	ServicePreProcessingTimeInMillis int64 `json:"ServicePreProcessingTimeInMillis"`
	QueryPlanningTimeInMillis        int64 `json:"QueryPlanningTimeInMillis"`
	EngineExecutionTimeInMillis      int64 `json:"EngineExecutionTimeInMillis"`
	ServiceProcessingTimeInMillis    int64 `json:"ServiceProcessingTimeInMillis"`
	TotalExecutionTimeInMillis       int64 `json:"TotalExecutionTimeInMillis"`
}

type queryRuntimeRows struct {
	InputBytes  int64  `json:"InputBytes"`
	OutputBytes *int64 `json:"OutputBytes,omitempty"`
	OutputRows  *int64 `json:"OutputRows,omitempty"`
}

type queryStage struct {
	StageID       int64  `json:"StageId"`
	State         string `json:"State"`
	OutputBytes   int64  `json:"OutputBytes"`
	OutputRows    int64  `json:"OutputRows"`
	InputBytes    int64  `json:"InputBytes"`
	ExecutionTime int64  `json:"ExecutionTime"`
}

type queryRuntimeStatistics struct {
	Timeline    queryRuntimeTimeline `json:"Timeline"`
	Rows        queryRuntimeRows     `json:"Rows"`
	OutputStage *queryStage          `json:"OutputStage,omitempty"`
}

type unprocessedQueryExecutionID struct {
	QueryExecutionID string `json:"QueryExecutionId"`
	ErrorCode        string `json:"ErrorCode"`
	ErrorMessage     string `json:"ErrorMessage"`
}

type columnInfo struct {
	CatalogName   string `json:"CatalogName"`
	SchemaName    string `json:"SchemaName"`
	TableName     string `json:"TableName"`
	Name          string `json:"Name"`
	Label         string `json:"Label"`
	Type          string `json:"Type"`
	Precision     int    `json:"Precision"`
	Scale         int    `json:"Scale"`
	Nullable      string `json:"Nullable"`
	CaseSensitive bool   `json:"CaseSensitive"`
}

// datum is one cell; a nil VarCharValue is SQL NULL, which Athena sends
// as an empty object.
type datum struct {
	VarCharValue *string `json:"VarCharValue,omitempty"`
}

type row struct {
	Data []datum `json:"Data"`
}

type resultSet struct {
	Rows              []row `json:"Rows"`
	ResultSetMetadata struct {
		ColumnInfo []columnInfo `json:"ColumnInfo"`
	} `json:"ResultSetMetadata"`
}

type workGroupSummary struct {
	Name          string         `json:"Name"`
	State         string         `json:"State"`
	Description   string         `json:"Description,omitempty"`
	CreationTime  *epoch         `json:"CreationTime,omitempty"`
	EngineVersion *engineVersion `json:"EngineVersion,omitempty"`
}

type workGroupConfiguration struct {
	ResultConfiguration             *resultConfiguration `json:"ResultConfiguration,omitempty"`
	EnforceWorkGroupConfiguration   bool                 `json:"EnforceWorkGroupConfiguration"`
	PublishCloudWatchMetricsEnabled bool                 `json:"PublishCloudWatchMetricsEnabled"`
	RequesterPaysEnabled            bool                 `json:"RequesterPaysEnabled"`
	EngineVersion                   *engineVersion       `json:"EngineVersion,omitempty"`
	BytesScannedCutoffPerQuery      int64                `json:"BytesScannedCutoffPerQuery,omitempty"`
}

type workGroup struct {
	Name          string                 `json:"Name"`
	State         string                 `json:"State"`
	Configuration workGroupConfiguration `json:"Configuration"`
	Description   string                 `json:"Description,omitempty"`
	CreationTime  *epoch                 `json:"CreationTime,omitempty"`
}

type dataCatalogSummary struct {
	CatalogName string `json:"CatalogName"`
	Type        string `json:"Type"`
	Status      string `json:"Status,omitempty"`
}

type dataCatalog struct {
	Name        string            `json:"Name"`
	Description string            `json:"Description,omitempty"`
	Type        string            `json:"Type"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
	Status      string            `json:"Status,omitempty"`
}

type database struct {
	Name        string            `json:"Name"`
	Description string            `json:"Description,omitempty"`
	Parameters  map[string]string `json:"Parameters,omitempty"`
}

type column struct {
	Name    string `json:"Name"`
	Type    string `json:"Type,omitempty"`
	Comment string `json:"Comment,omitempty"`
}

type tableMetadata struct {
	Name           string            `json:"Name"`
	CreateTime     *epoch            `json:"CreateTime,omitempty"`
	LastAccessTime *epoch            `json:"LastAccessTime,omitempty"`
	TableType      string            `json:"TableType,omitempty"`
	Columns        []column          `json:"Columns"`
	PartitionKeys  []column          `json:"PartitionKeys"`
	Parameters     map[string]string `json:"Parameters,omitempty"`
}

type namedQuery struct {
	Name         string `json:"Name"`
	Description  string `json:"Description,omitempty"`
	Database     string `json:"Database"`
	QueryString  string `json:"QueryString"`
	NamedQueryID string `json:"NamedQueryId"`
	WorkGroup    string `json:"WorkGroup"`
}

type unprocessedNamedQueryID struct {
	NamedQueryID string `json:"NamedQueryId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}
