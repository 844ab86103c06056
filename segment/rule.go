package segment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
	"github.com/clientele-go/clientele/order"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "segment: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned for a segment that does not exist.
var ErrNotFound = errcode.New(errcode.NotFound, "segment: not found")

// Limits of a rule.
const (
	// MaxDepth is the deepest nesting of a rule (a lone condition has depth 1).
	MaxDepth = 8
	// MaxNodes is the largest number of nodes (All, Any, Not and
	// conditions) in a rule.
	MaxNodes = 64
	// MaxValueLength is the longest Condition.Value and Condition.Key, in bytes.
	MaxValueLength = 500
	// SchemaVersion is the version of the rule's JSON form written by
	// MarshalRule; ParseRule reads it and refuses later ones.
	SchemaVersion = 1
)

// Field names what a condition tests. The zero value is not valid. Its
// text form (and so its JSON, in a stored rule) is the lower-case name of
// its constant without the prefix: "tag", "created_at"...
type Field int

// The fields, with the operators each accepts and the form of its Value.
const (
	// FieldTag ("tag"): OpHas; Value a tag (normalized as
	// customer.NormalizeTags).
	FieldTag Field = iota + 1
	// FieldType ("type"): OpEq; Value "private" or "business".
	FieldType
	// FieldStatus ("status"): OpEq; Value a customer.Status ("prospect"...).
	FieldStatus
	// FieldState ("state"): OpEq; Value a customer.State ("active"...).
	FieldState
	// FieldGroup ("group"): OpHas; Value a group ID: the customer is a
	// member.
	FieldGroup
	// FieldMetadata ("metadata"): OpEq; Key the metadata key, Value the
	// exact value.
	FieldMetadata
	// FieldCountry ("country"): OpEq; Value an ISO 3166-1 alpha-2 code;
	// Key "shipping" (or "") for the default shipping address, "billing"
	// for the default billing address. A customer without that default
	// never matches.
	FieldCountry
	// FieldCreatedAt ("created_at"): OpLt, OpLte, OpGt, OpGte, OpEq; Value
	// an RFC 3339 time.
	FieldCreatedAt
	// FieldOrderCount ("order_count"): any comparison; Value a
	// non-negative integer; compares customer.Customer.OrderCount.
	FieldOrderCount
	// FieldSpent ("spent"): any comparison; Value an amount and a currency
	// ("500.00 EUR"); compares order.Stats.Spent in that currency, which is
	// zero for a customer without figures in it.
	FieldSpent
	// FieldLastOrderAt ("last_order_at"): any comparison; Value an RFC 3339
	// time; compares the latest order.Stats.LastOrderAt over every
	// currency. A customer without orders never matches.
	FieldLastOrderAt
)

var fieldNames = [...]string{
	FieldTag: "tag", FieldType: "type", FieldStatus: "status", FieldState: "state", FieldGroup: "group",
	FieldMetadata: "metadata", FieldCountry: "country", FieldCreatedAt: "created_at",
	FieldOrderCount: "order_count", FieldSpent: "spent", FieldLastOrderAt: "last_order_at",
}

// Fields returns every valid Field, in a fixed order.
func Fields() []Field {
	return []Field{FieldTag, FieldType, FieldStatus, FieldState, FieldGroup, FieldMetadata, FieldCountry,
		FieldCreatedAt, FieldOrderCount, FieldSpent, FieldLastOrderAt}
}

// Valid reports whether f is one of the fields.
func (f Field) Valid() bool { return f >= FieldTag && f <= FieldLastOrderAt }

// String returns the field's name ("tag"), or "Field(n)".
func (f Field) String() string {
	if f.Valid() {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", int(f))
}

// ParseField returns the Field named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "field".
func ParseField(s string) (Field, error) {
	v, err := validation.Enum(ErrInvalid, "field", s, fieldNames[:])
	return Field(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid field is an
// error.
func (f Field) MarshalText() ([]byte, error) {
	if !f.Valid() {
		return nil, validation.New(ErrInvalid, "field", "is not a known field (%s)", f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseField; on
// error f is unchanged.
func (f *Field) UnmarshalText(b []byte) error {
	v, err := ParseField(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Op is a condition's operator. The zero value is not valid. Its text form
// is the lower-case name of its constant without the prefix: "eq", "lt"...
type Op int

// The operators.
const (
	OpEq  Op = iota + 1 // "eq": equal
	OpLt                // "lt": less than
	OpLte               // "lte": less than or equal
	OpGt                // "gt": greater than
	OpGte               // "gte": greater than or equal
	OpHas               // "has": a set holds the value
)

var opNames = [...]string{OpEq: "eq", OpLt: "lt", OpLte: "lte", OpGt: "gt", OpGte: "gte", OpHas: "has"}

// Ops returns every valid Op; Field.Ops returns those of one field.
func Ops() []Op { return []Op{OpEq, OpLt, OpLte, OpGt, OpGte, OpHas} }

// Valid reports whether op is one of the operators.
func (op Op) Valid() bool { return op >= OpEq && op <= OpHas }

// String returns the operator's name ("eq"), or "Op(n)".
func (op Op) String() string {
	if op.Valid() {
		return opNames[op]
	}
	return fmt.Sprintf("Op(%d)", int(op))
}

// ParseOp returns the Op named s; white space is trimmed and case folded.
// The error is a *ValidationError for the field "op".
func ParseOp(s string) (Op, error) {
	v, err := validation.Enum(ErrInvalid, "op", s, opNames[:])
	return Op(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid operator is an
// error.
func (op Op) MarshalText() ([]byte, error) {
	if !op.Valid() {
		return nil, validation.New(ErrInvalid, "op", "is not an operator (%s)", op)
	}
	return []byte(op.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseOp; on error
// op is unchanged.
func (op *Op) UnmarshalText(b []byte) error {
	v, err := ParseOp(string(b))
	if err != nil {
		return err
	}
	*op = v
	return nil
}

// comparisons are the operators of ordered values.
var comparisons = []Op{OpEq, OpLt, OpLte, OpGt, OpGte}

// fieldOps lists the operators each field accepts.
var fieldOps = map[Field][]Op{
	FieldTag: {OpHas}, FieldType: {OpEq}, FieldStatus: {OpEq}, FieldState: {OpEq},
	FieldGroup: {OpHas}, FieldMetadata: {OpEq}, FieldCountry: {OpEq},
	FieldCreatedAt: comparisons, FieldOrderCount: comparisons, FieldSpent: comparisons, FieldLastOrderAt: comparisons,
}

// Ops returns the operators f accepts.
func (f Field) Ops() []Op { return slices.Clone(fieldOps[f]) }

// Condition tests one fact of a customer.
type Condition struct {
	Field Field  `json:"field"`
	Op    Op     `json:"op"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

// Rule is a node of a rule tree: exactly one of All, Any, Not and
// Condition is set. All of no rules matches every customer; Any of no
// rules matches none. The zero Rule is not valid.
type Rule struct {
	All       []Rule     `json:"all,omitempty"`
	Any       []Rule     `json:"any,omitempty"`
	Not       *Rule      `json:"not,omitempty"`
	Condition *Condition `json:"condition,omitempty"`
	// all and any record an empty All or Any (a nil slice cannot).
	kind kind
}

type kind uint8

const (
	kindNone kind = iota
	kindAll
	kindAny
	kindNot
	kindCond
)

// All returns a rule that matches when every one of rs matches.
func All(rs ...Rule) Rule { return Rule{All: slices.Clone(rs), kind: kindAll} }

// Any returns a rule that matches when at least one of rs matches.
func Any(rs ...Rule) Rule { return Rule{Any: slices.Clone(rs), kind: kindAny} }

// Not returns a rule that matches when r does not.
func Not(r Rule) Rule { return Rule{Not: &r, kind: kindNot} }

// Cond returns a rule of one condition.
func Cond(f Field, op Op, value string) Rule {
	return Rule{Condition: &Condition{Field: f, Op: op, Value: value}, kind: kindCond}
}

// Meta returns the condition "metadata key equals value".
func Meta(key, value string) Rule {
	return Rule{Condition: &Condition{Field: FieldMetadata, Op: OpEq, Key: key, Value: value}, kind: kindCond}
}

// Kind names the node: "all", "any", "not", "condition", or "" for an
// invalid node.
func (r Rule) Kind() string {
	switch r.kindOf() {
	case kindAll:
		return "all"
	case kindAny:
		return "any"
	case kindNot:
		return "not"
	case kindCond:
		return "condition"
	}
	return ""
}

func (r Rule) kindOf() kind {
	n, k := 0, r.kind
	if r.All != nil {
		n, k = n+1, kindAll
	}
	if r.Any != nil {
		n, k = n+1, kindAny
	}
	if r.Not != nil {
		n, k = n+1, kindNot
	}
	if r.Condition != nil {
		n, k = n+1, kindCond
	}
	if n > 1 || (n == 1 && r.kind != kindNone && r.kind != k) {
		return kindNone
	}
	return k
}

// Clone returns a deep copy of r.
func (r Rule) Clone() Rule {
	out := Rule{kind: r.kindOf()}
	if r.All != nil {
		out.All = make([]Rule, len(r.All))
		for i, c := range r.All {
			out.All[i] = c.Clone()
		}
	}
	if r.Any != nil {
		out.Any = make([]Rule, len(r.Any))
		for i, c := range r.Any {
			out.Any[i] = c.Clone()
		}
	}
	if r.Not != nil {
		n := r.Not.Clone()
		out.Not = &n
	}
	if r.Condition != nil {
		c := *r.Condition
		out.Condition = &c
	}
	return out
}

// Walk calls fn for r and every node below it, depth first.
func (r Rule) Walk(fn func(Rule)) {
	fn(r)
	for _, c := range r.All {
		c.Walk(fn)
	}
	for _, c := range r.Any {
		c.Walk(fn)
	}
	if r.Not != nil {
		r.Not.Walk(fn)
	}
}

// Normalize validates r and returns it in canonical form, the form storage
// keeps and evaluates: tags normalized, countries upper case, times in UTC
// at microsecond precision (RFC 3339), amounts with the currency's minor
// units ("500.00 EUR"), group IDs in canonical form. Errors are
// *ValidationError with Field "rule" (a path such as "rule.all[2].value").
func (r Rule) Normalize() (Rule, error) {
	nodes := 0
	return r.normalize("rule", 1, &nodes)
}

// Validate reports whether r is valid (see Normalize).
func (r Rule) Validate() error {
	_, err := r.Normalize()
	return err
}

func (r Rule) normalize(path string, depth int, nodes *int) (Rule, error) {
	*nodes++
	if *nodes > MaxNodes {
		return Rule{}, validation.New(ErrInvalid, "rule", "has more than %d nodes", MaxNodes)
	}
	if depth > MaxDepth {
		return Rule{}, validation.New(ErrInvalid, path, "is nested deeper than %d", MaxDepth)
	}
	switch r.kindOf() {
	case kindAll, kindAny:
		in, name := r.All, "all"
		if r.kindOf() == kindAny {
			in, name = r.Any, "any"
		}
		out := make([]Rule, len(in))
		for i, c := range in {
			n, err := c.normalize(fmt.Sprintf("%s.%s[%d]", path, name, i), depth+1, nodes)
			if err != nil {
				return Rule{}, err
			}
			out[i] = n
		}
		if name == "all" {
			return Rule{All: out, kind: kindAll}, nil
		}
		return Rule{Any: out, kind: kindAny}, nil
	case kindNot:
		n, err := r.Not.normalize(path+".not", depth+1, nodes)
		if err != nil {
			return Rule{}, err
		}
		return Rule{Not: &n, kind: kindNot}, nil
	case kindCond:
		c, err := r.Condition.normalize(path)
		if err != nil {
			return Rule{}, err
		}
		return Rule{Condition: &c, kind: kindCond}, nil
	}
	return Rule{}, validation.New(ErrInvalid, path, "must have exactly one of all, any, not and condition")
}

func (c Condition) normalize(path string) (Condition, error) {
	bad := func(field, format string, args ...any) error {
		return validation.New(ErrInvalid, path+"."+field, format, args...)
	}
	ops, ok := fieldOps[c.Field]
	if !ok {
		return Condition{}, bad("field", "is not a known field (%s)", validation.Quote(c.Field.String()))
	}
	if !slices.Contains(ops, c.Op) {
		return Condition{}, bad("op", "%s is not an operator of %s", validation.Quote(c.Op.String()), c.Field)
	}
	if len(c.Value) > MaxValueLength || len(c.Key) > MaxValueLength {
		return Condition{}, bad("value", "is longer than %d bytes", MaxValueLength)
	}
	if !utf8.ValidString(c.Value) || !utf8.ValidString(c.Key) {
		return Condition{}, bad("value", "is not valid UTF-8")
	}
	if c.Key != "" && c.Field != FieldMetadata && c.Field != FieldCountry {
		return Condition{}, bad("key", "is only for metadata and country")
	}
	v := strings.TrimSpace(c.Value)
	switch c.Field {
	case FieldTag:
		tags, err := customer.NormalizeTags([]string{v})
		if err != nil || len(tags) != 1 {
			return Condition{}, bad("value", "is not a valid tag")
		}
		c.Value = tags[0]
	case FieldType:
		t, err := customer.ParseType(v)
		if err != nil {
			return Condition{}, bad("value", "is not a customer type")
		}
		c.Value = t.String()
	case FieldStatus:
		s, err := customer.ParseStatus(v)
		if err != nil {
			return Condition{}, bad("value", "is not a customer status")
		}
		c.Value = s.String()
	case FieldState:
		s, err := customer.ParseState(v)
		if err != nil {
			return Condition{}, bad("value", "is not a customer state")
		}
		c.Value = s.String()
	case FieldGroup:
		id, err := uuid.Parse(v)
		if err != nil || id == uuid.Nil {
			return Condition{}, bad("value", "is not a group ID")
		}
		c.Value = id.String()
	case FieldMetadata:
		if err := validation.Metadata(ErrInvalid, path+".key", map[string]string{c.Key: c.Value}); err != nil {
			return Condition{}, err
		}
	case FieldCountry:
		v = strings.ToUpper(v)
		if err := address.ValidateCountry(v); err != nil {
			return Condition{}, bad("value", "is not an ISO 3166-1 alpha-2 country code")
		}
		c.Value = v
		switch c.Key {
		case "", "shipping":
			c.Key = ""
		case "billing":
		default:
			return Condition{}, bad("key", "must be \"shipping\" or \"billing\"")
		}
	case FieldCreatedAt, FieldLastOrderAt:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return Condition{}, bad("value", "is not an RFC 3339 time")
		}
		c.Value = FormatTime(t)
	case FieldOrderCount:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return Condition{}, bad("value", "is not a non-negative integer")
		}
		c.Value = strconv.FormatInt(n, 10)
	case FieldSpent:
		m, err := ParseAmount(v)
		if err != nil {
			return Condition{}, bad("value", "is not an amount and a currency (\"500.00 EUR\")")
		}
		c.Value = m.String()
	}
	return c, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		s = s[:40]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + "..."
	}
	return s
}

// FormatTime is the canonical form of a time in a condition: UTC,
// microseconds, RFC 3339.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.999999Z07:00")
}

// ParseAmount parses "500.00 EUR" (an amount, a space, an ISO 4217 code).
func ParseAmount(s string) (balance.Money, error) {
	amount, code, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return balance.Money{}, validation.New(ErrInvalid, "value", "is not an amount and a currency")
	}
	return balance.ParseMoney(amount, strings.TrimSpace(code))
}

// Time returns the condition's value as a time (FieldCreatedAt and
// FieldLastOrderAt of a normalized rule).
func (c Condition) Time() (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, c.Value)
	return t.UTC().Truncate(time.Microsecond), err
}

// Int returns the condition's value as an integer (FieldOrderCount).
func (c Condition) Int() (int64, error) { return strconv.ParseInt(c.Value, 10, 64) }

// Amount returns the condition's value as money (FieldSpent).
func (c Condition) Amount() (balance.Money, error) { return ParseAmount(c.Value) }

// Compare reports whether "a op b" holds, for a cmp result of a against b.
func (op Op) Compare(cmp int) bool {
	switch op {
	case OpEq:
		return cmp == 0
	case OpLt:
		return cmp < 0
	case OpLte:
		return cmp <= 0
	case OpGt:
		return cmp > 0
	case OpGte:
		return cmp >= 0
	}
	return false
}

// Facts are what a rule can test about one customer.
type Facts struct {
	Customer customer.Customer
	// Groups are the IDs of the groups the customer is a member of.
	Groups []uuid.UUID
	// ShippingCountry and BillingCountry are the countries of the default
	// addresses, "" without one.
	ShippingCountry, BillingCountry string
	// Stats are the customer's order figures, one per currency.
	Stats []order.Stats
}

// Matches reports whether the live customer of f matches the normalized
// rule r (see Rule.Normalize; the adapters evaluate only normalized
// rules): a deleted customer never matches. An invalid condition or node
// counts as false (so Not of it as true); Matches never panics.
func Matches(r Rule, f Facts) bool {
	if f.Customer.DeletedAt != nil {
		return false
	}
	return r.matches(f)
}

func (r Rule) matches(f Facts) bool {
	switch r.kindOf() {
	case kindAll:
		for _, c := range r.All {
			if !c.matches(f) {
				return false
			}
		}
		return true
	case kindAny:
		for _, c := range r.Any {
			if c.matches(f) {
				return true
			}
		}
		return false
	case kindNot:
		return !r.Not.matches(f)
	case kindCond:
		return r.Condition.matches(f)
	}
	return false
}

func (c Condition) matches(f Facts) bool {
	cu := f.Customer
	switch c.Field {
	case FieldTag:
		return slices.Contains(cu.Tags, c.Value)
	case FieldType:
		return cu.Type.String() == c.Value
	case FieldStatus:
		return cu.Status.String() == c.Value
	case FieldState:
		return cu.State.String() == c.Value
	case FieldGroup:
		return slices.ContainsFunc(f.Groups, func(id uuid.UUID) bool { return id.String() == c.Value })
	case FieldMetadata:
		v, ok := cu.Metadata[c.Key]
		return ok && v == c.Value
	case FieldCountry:
		country := f.ShippingCountry
		if c.Key == "billing" {
			country = f.BillingCountry
		}
		return country != "" && country == c.Value
	case FieldCreatedAt:
		t, err := c.Time()
		return err == nil && c.Op.Compare(cu.CreatedAt.Truncate(time.Microsecond).Compare(t))
	case FieldOrderCount:
		n, err := c.Int()
		return err == nil && c.Op.Compare(cmpInt(int64(cu.OrderCount), n))
	case FieldSpent:
		m, err := c.Amount()
		if err != nil {
			return false
		}
		spent := int64(0)
		for _, s := range f.Stats {
			if s.Currency == m.Currency() {
				spent = s.Spent.MinorUnits()
			}
		}
		return c.Op.Compare(cmpInt(spent, m.MinorUnits()))
	case FieldLastOrderAt:
		t, err := c.Time()
		if err != nil {
			return false
		}
		var last time.Time
		for _, s := range f.Stats {
			if s.OrderCount > 0 && s.LastOrderAt.After(last) {
				last = s.LastOrderAt
			}
		}
		return !last.IsZero() && c.Op.Compare(last.Truncate(time.Microsecond).Compare(t))
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ruleJSON is a node's JSON form.
type ruleJSON struct {
	All       *[]Rule    `json:"all,omitempty"`
	Any       *[]Rule    `json:"any,omitempty"`
	Not       *Rule      `json:"not,omitempty"`
	Condition *Condition `json:"condition,omitempty"`
}

// MarshalJSON implements json.Marshaler: {"all": [...]}, {"any": [...]},
// {"not": {...}} or {"condition": {"field": ..., "op": ..., "value": ...}}.
func (r Rule) MarshalJSON() ([]byte, error) {
	var w ruleJSON
	switch r.kindOf() {
	case kindAll:
		all := r.All
		if all == nil {
			all = []Rule{}
		}
		w.All = &all
	case kindAny:
		anyOf := r.Any
		if anyOf == nil {
			anyOf = []Rule{}
		}
		w.Any = &anyOf
	case kindNot:
		w.Not = r.Not
	case kindCond:
		w.Condition = r.Condition
	default:
		return nil, validation.New(ErrInvalid, "rule", "must have exactly one of all, any, not and condition")
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler, the inverse of MarshalJSON.
// It reads the whole tree at once, so that an error names the node as
// Normalize does ("rule.all[2].field"): a node that is not exactly one of
// all, any, not and condition, and a condition's field or operator that is
// not the name of a Field or an Op, are *ValidationError. It does not
// validate otherwise (an operator the field does not take, the values):
// call Normalize.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var w ruleWire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return validation.New(ErrInvalid, "rule", "is not a rule: %v", err)
	}
	out, err := w.rule("rule")
	if err != nil {
		return err
	}
	*r = out
	return nil
}

// ruleWire is the JSON form of a node as it is read: a condition's field
// and operator as text, so that an unknown name is reported with the
// node's path.
type ruleWire struct {
	All       *[]ruleWire    `json:"all,omitempty"`
	Any       *[]ruleWire    `json:"any,omitempty"`
	Not       *ruleWire      `json:"not,omitempty"`
	Condition *conditionWire `json:"condition,omitempty"`
}

type conditionWire struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

// rule returns the node w at path (the path Normalize reports).
func (w ruleWire) rule(path string) (Rule, error) {
	n := 0
	for _, set := range []bool{w.All != nil, w.Any != nil, w.Not != nil, w.Condition != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return Rule{}, validation.New(ErrInvalid, path, "must have exactly one of all, any, not and condition")
	}
	list := func(name string, in []ruleWire) ([]Rule, error) {
		out := make([]Rule, len(in))
		for i, c := range in {
			r, err := c.rule(fmt.Sprintf("%s.%s[%d]", path, name, i))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	switch {
	case w.All != nil:
		all, err := list("all", *w.All)
		if err != nil {
			return Rule{}, err
		}
		return Rule{All: all, kind: kindAll}, nil
	case w.Any != nil:
		anyOf, err := list("any", *w.Any)
		if err != nil {
			return Rule{}, err
		}
		return Rule{Any: anyOf, kind: kindAny}, nil
	case w.Not != nil:
		not, err := w.Not.rule(path + ".not")
		if err != nil {
			return Rule{}, err
		}
		return Rule{Not: &not, kind: kindNot}, nil
	}
	c := w.Condition
	f, err := ParseField(c.Field)
	if err != nil {
		return Rule{}, validation.New(ErrInvalid, path+".field", "is not a known field (%s)", validation.Quote(truncate(c.Field)))
	}
	op, err := ParseOp(c.Op)
	if err != nil {
		return Rule{}, validation.New(ErrInvalid, path+".op", "%s is not an operator of %s", validation.Quote(truncate(c.Op)), f)
	}
	return Rule{Condition: &Condition{Field: f, Op: op, Key: c.Key, Value: c.Value}, kind: kindCond}, nil
}

// envelope is the stored JSON form of a rule.
type envelope struct {
	Schema int             `json:"schema"`
	Rule   json.RawMessage `json:"rule"`
}

// MarshalRule returns the stored JSON form of r: {"schema": 1, "rule": ...}.
func MarshalRule(r Rule) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{SchemaVersion, b})
}

// ParseRule reads the form MarshalRule writes and normalizes the rule.
// Errors: *ValidationError for an unknown schema version or an invalid rule.
func ParseRule(b []byte) (Rule, error) {
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return Rule{}, validation.New(ErrInvalid, "rule", "is not a stored rule: %v", err)
	}
	if e.Schema < 1 || e.Schema > SchemaVersion {
		return Rule{}, validation.New(ErrInvalid, "schema", "version %d is not supported (at most %d)", e.Schema, SchemaVersion)
	}
	var r Rule
	if err := json.Unmarshal(e.Rule, &r); err != nil {
		return Rule{}, err
	}
	return r.Normalize()
}
