package sqlrun

import (
	"database/sql/driver"
	"encoding/json"
	"math"
	"math/big"
	"sort"

	"modernc.org/sqlite"
)

// The aggregates SQLite lacks or computes differently: exact decimal sum
// and average, double sum and average that keep NaN, arrays and maps,
// max_by/min_by, the standard deviations and variances, a percentile.
// Each also serves as a window function (WindowValue); those with a
// simple inverse serve moving frames too.

// aggState is one aggregate's running state.
type aggState interface {
	step(a []driver.Value) error
	inverse(a []driver.Value) error
	value() (driver.Value, error)
}

type aggFunc struct {
	s aggState
}

func (f *aggFunc) Step(_ *sqlite.FunctionContext, a []driver.Value) error { return f.s.step(a) }
func (f *aggFunc) WindowInverse(_ *sqlite.FunctionContext, a []driver.Value) error {
	return f.s.inverse(a)
}
func (f *aggFunc) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return f.s.value() }
func (f *aggFunc) Final(*sqlite.FunctionContext)                             {}

var errNoInverse = fnError(notSupported, "this aggregate cannot be used over a moving window frame in the sandbox")

func (rt *runtime) aggregates(d *sqlite.Driver) error {
	reg := func(name string, n int32, make func() aggState) error {
		return d.RegisterFunction(name, &sqlite.FunctionImpl{NArgs: n, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &aggFunc{s: make()}, nil }})
	}
	for name, a := range map[string]struct {
		n    int32
		make func() aggState
	}{
		"athena_dsum":       {2, func() aggState { return &decimalSum{} }},
		"athena_davg":       {2, func() aggState { return &decimalSum{avg: true} }},
		"athena_fsum":       {1, func() aggState { return &floatSum{} }},
		"athena_favg":       {1, func() aggState { return &floatSum{avg: true} }},
		"athena_fmin":       {1, func() aggState { return &floatExtreme{} }},
		"athena_fmax":       {1, func() aggState { return &floatExtreme{max: true} }},
		"athena_arbitrary":  {1, func() aggState { return &arbitrary{} }},
		"athena_array_agg":  {2, func() aggState { return &arrayAgg{rt: rt} }},
		"athena_map_agg":    {3, func() aggState { return &mapAgg{rt: rt} }},
		"athena_max_by":     {3, func() aggState { return &byAgg{rt: rt, max: true} }},
		"athena_min_by":     {3, func() aggState { return &byAgg{rt: rt} }},
		"athena_stat":       {2, func() aggState { return &stat{} }},
		"athena_percentile": {3, func() aggState { return &percentile{rt: rt} }},
	} {
		if err := reg(name, a.n, a.make); err != nil {
			return err
		}
	}
	return nil
}

// decimalSum is sum() and avg() of decimals, exact; an average rounds
// half up to the argument's scale.
type decimalSum struct {
	avg   bool
	sum   *big.Rat
	n     int64
	scale int
}

func (s *decimalSum) step(a []driver.Value) error    { return s.add(a, 1) }
func (s *decimalSum) inverse(a []driver.Value) error { return s.add(a, -1) }

func (s *decimalSum) add(a []driver.Value, sign int64) error {
	sc, _ := toInt(a[1])
	s.scale = int(sc)
	if a[0] == nil {
		return nil
	}
	d, ok := decimalOf(a[0])
	if !ok {
		return fnError(internalError, "bad decimal %v", a[0])
	}
	if s.sum == nil {
		s.sum = new(big.Rat)
	}
	r := new(big.Rat).SetFrac(d.unscaled, pow10(d.scale))
	if sign < 0 {
		r.Neg(r)
	}
	s.sum.Add(s.sum, r)
	s.n += sign
	return nil
}

func (s *decimalSum) value() (driver.Value, error) {
	if s.n == 0 || s.sum == nil {
		return nil, nil
	}
	r := new(big.Rat).Set(s.sum)
	if s.avg {
		r.Quo(r, new(big.Rat).SetInt64(s.n))
	}
	// Round half up at the scale.
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(s.scale)))
	q, rem := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	rem.Abs(rem).Mul(rem, big.NewInt(2))
	if rem.Cmp(scaled.Denom()) >= 0 {
		if scaled.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	d := decimal{unscaled: q, scale: s.scale}
	if !d.fits(38, s.scale) {
		return nil, fnError(numericOutOfRange, "Decimal overflow")
	}
	return d.String(), nil
}

// floatSum is sum() and avg() of doubles, NaN included.
type floatSum struct {
	avg bool
	sum float64
	n   int64
}

func (s *floatSum) step(a []driver.Value) error {
	if f, ok := floatOf(a[0]); ok && a[0] != nil {
		s.sum += f
		s.n++
	}
	return nil
}

func (s *floatSum) inverse(a []driver.Value) error {
	if f, ok := floatOf(a[0]); ok && a[0] != nil {
		s.sum -= f
		s.n--
	}
	return nil
}

func (s *floatSum) value() (driver.Value, error) {
	if s.n == 0 {
		return nil, nil
	}
	if s.avg {
		return floatValue(s.sum / float64(s.n)), nil
	}
	return floatValue(s.sum), nil
}

// floatExtreme is min() and max() of doubles, NaN ordered above all.
type floatExtreme struct {
	max  bool
	best float64
	set  bool
}

func (s *floatExtreme) step(a []driver.Value) error {
	f, ok := floatOf(a[0])
	if !ok || a[0] == nil {
		return nil
	}
	if !s.set || s.max && compareValues(f, s.best, typDouble) > 0 || !s.max && compareValues(f, s.best, typDouble) < 0 {
		s.best, s.set = f, true
	}
	return nil
}

func (s *floatExtreme) inverse([]driver.Value) error { return errNoInverse }

func (s *floatExtreme) value() (driver.Value, error) {
	if !s.set {
		return nil, nil
	}
	return floatValue(s.best), nil
}

// arbitrary is arbitrary() and any_value(): the first non-NULL value.
type arbitrary struct{ v driver.Value }

func (s *arbitrary) step(a []driver.Value) error {
	if s.v == nil && a[0] != nil {
		if b, ok := a[0].([]byte); ok {
			s.v = append([]byte(nil), b...)
		} else {
			s.v = a[0]
		}
	}
	return nil
}
func (s *arbitrary) inverse([]driver.Value) error { return errNoInverse }
func (s *arbitrary) value() (driver.Value, error) { return s.v, nil }

// arrayAgg is array_agg(): every value, NULLs included, in input order
// (or the ORDER BY given inside the call).
type arrayAgg struct {
	rt    *runtime
	elems []json.RawMessage
	any   bool
}

func (s *arrayAgg) step(a []driver.Value) error {
	t, err := s.rt.typ(a[1])
	if err != nil {
		return err
	}
	e, err := elemJSON(a[0], *t.Elem)
	if err != nil {
		return err
	}
	s.elems = append(s.elems, e)
	s.any = true
	return nil
}

func (s *arrayAgg) inverse([]driver.Value) error {
	if len(s.elems) > 0 {
		s.elems = s.elems[1:]
	}
	return nil
}

func (s *arrayAgg) value() (driver.Value, error) {
	if !s.any {
		return nil, nil
	}
	return joinJSON(s.elems), nil
}

// mapAgg is map_agg(): the first value of each key; NULL keys skipped.
type mapAgg struct {
	rt    *runtime
	keys  []json.RawMessage
	vals  []json.RawMessage
	typ   Type
	typed bool
}

func (s *mapAgg) step(a []driver.Value) error {
	if !s.typed {
		t, err := s.rt.typ(a[2])
		if err != nil {
			return err
		}
		s.typ, s.typed = t, true
	}
	if a[0] == nil {
		return nil
	}
	k, err := elemJSON(a[0], *s.typ.Key)
	if err != nil {
		return err
	}
	for _, prev := range s.keys {
		if sameElem(prev, k, *s.typ.Key) {
			return nil
		}
	}
	v, err := elemJSON(a[1], *s.typ.Elem)
	if err != nil {
		return err
	}
	s.keys, s.vals = append(s.keys, k), append(s.vals, v)
	return nil
}

func (s *mapAgg) inverse([]driver.Value) error { return errNoInverse }

func (s *mapAgg) value() (driver.Value, error) {
	if !s.typed {
		return nil, nil
	}
	pairs := make([]json.RawMessage, len(s.keys))
	for i := range s.keys {
		pairs[i] = json.RawMessage(joinJSON([]json.RawMessage{s.keys[i], s.vals[i]}))
	}
	return joinJSON(pairs), nil
}

// byAgg is max_by(v, k) and min_by(v, k).
type byAgg struct {
	rt   *runtime
	max  bool
	v, k driver.Value
	set  bool
}

func (s *byAgg) step(a []driver.Value) error {
	if a[1] == nil {
		return nil
	}
	kt, err := s.rt.typ(a[2])
	if err != nil {
		return err
	}
	if !s.set || s.max && compareValues(a[1], s.k, kt) > 0 || !s.max && compareValues(a[1], s.k, kt) < 0 {
		s.v, s.k, s.set = copyValue(a[0]), copyValue(a[1]), true
	}
	return nil
}

func copyValue(v driver.Value) driver.Value {
	if b, ok := v.([]byte); ok {
		return append([]byte(nil), b...)
	}
	return v
}

func (s *byAgg) inverse([]driver.Value) error { return errNoInverse }
func (s *byAgg) value() (driver.Value, error) { return s.v, nil }

// stat is stddev, variance and their _samp and _pop forms, and
// geometric_mean, by Welford's method.
type stat struct {
	name     string
	n        float64
	mean, m2 float64
	logSum   float64
}

func (s *stat) step(a []driver.Value) error {
	s.name = text(a[1])
	f, ok := floatOf(a[0])
	if !ok || a[0] == nil {
		return nil
	}
	s.n++
	d := f - s.mean
	s.mean += d / s.n
	s.m2 += d * (f - s.mean)
	s.logSum += math.Log(f)
	return nil
}

func (s *stat) inverse(a []driver.Value) error {
	f, ok := floatOf(a[0])
	if !ok || a[0] == nil || s.n == 0 {
		return nil
	}
	if s.n == 1 {
		*s = stat{name: s.name}
		return nil
	}
	mean := (s.mean*s.n - f) / (s.n - 1)
	s.m2 -= (f - s.mean) * (f - mean)
	s.mean = mean
	s.n--
	s.logSum -= math.Log(f)
	return nil
}

func (s *stat) value() (driver.Value, error) {
	switch s.name {
	case "stddev", "stddev_samp", "variance", "var_samp":
		if s.n < 2 {
			return nil, nil
		}
		v := s.m2 / (s.n - 1)
		if s.name == "stddev" || s.name == "stddev_samp" {
			v = math.Sqrt(v)
		}
		return floatValue(v), nil
	case "stddev_pop", "var_pop":
		if s.n < 1 {
			return nil, nil
		}
		v := s.m2 / s.n
		if s.name == "stddev_pop" {
			v = math.Sqrt(v)
		}
		return floatValue(v), nil
	}
	if s.n < 1 {
		return nil, nil
	}
	return floatValue(math.Exp(s.logSum / s.n)), nil
}

// percentile is approx_percentile(x, p), computed exactly: the value at
// rank round(p × (n − 1)) of the sorted input.
type percentile struct {
	rt   *runtime
	vals []driver.Value
	p    float64
	typ  Type
}

func (s *percentile) step(a []driver.Value) error {
	t, err := s.rt.typ(a[2])
	if err != nil {
		return err
	}
	s.typ = t
	p, _ := floatOf(a[1])
	if p < 0 || p > 1 {
		return fnError(invalidArgument, "Percentile must be between 0 and 1")
	}
	s.p = p
	if a[0] != nil {
		s.vals = append(s.vals, copyValue(a[0]))
	}
	return nil
}

func (s *percentile) inverse([]driver.Value) error { return errNoInverse }

func (s *percentile) value() (driver.Value, error) {
	if len(s.vals) == 0 {
		return nil, nil
	}
	vals := append([]driver.Value(nil), s.vals...)
	sort.Slice(vals, func(i, j int) bool { return compareValues(vals[i], vals[j], s.typ) < 0 })
	return vals[int(math.Round(s.p*float64(len(vals)-1)))], nil
}
