package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

var (
	_ storage.PricingSnapshots = (*Store)(nil)
	_ storage.PricingSnapshots = repos{}
)

// PricingSnapshot reads the pricing snapshot in one statement (the
// storage.PricingSnapshots capability): the market joined with its merchant
// and the live customer, and beside them scalar subqueries, the lists
// aggregated to JSON by the dialect (JSONBuilder): the groups in force, the
// IDs of every group in force when there are more than maxGroups, the
// order figures and the first maxSegments segments; and the verification's
// status and the default addresses' countries. One statement reads one
// snapshot of the database on every engine. The lists' numbers are
// integers (microseconds, minor units), which every engine's JSON writes
// exactly; each list carries its count, so that a list an engine cut
// (MariaDB's group_concat_max_len) is detected: the snapshot is then
// storage.ErrNoSnapshot, as on a dialect without JSONBuilder.
func (s *Store) PricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Snapshot, error) {
	return s.connFor(ctx).pricingSnapshot(ctx, customerID, marketID, at, maxGroups, maxSegments)
}

// PricingSnapshot reads the pricing snapshot in the transaction, in one
// statement (the storage.PricingSnapshots capability).
func (r repos) PricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Snapshot, error) {
	return r.c.pricingSnapshot(ctx, customerID, marketID, at, maxGroups, maxSegments)
}

func (cn conn) pricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Snapshot, error) {
	jb, ok := cn.s.dialect.(JSONBuilder)
	if !ok {
		return pricing.Snapshot{}, fmt.Errorf("sqlstore: dialect %s has no JSONBuilder: %w", cn.s.dialect.Name(), storage.ErrNoSnapshot)
	}
	q, args := snapshotQuery(jb, customerID, marketID, at, maxGroups, maxSegments)
	n := snapshotMarket
	if customerID != uuid.Nil {
		n = snapshotColumns
	}
	return read(ctx, cn, func() (pricing.Snapshot, error) {
		vals := make(values, n)
		dest := make([]any, n)
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := cn.queryRow(ctx, q, args...).Scan(dest...); err != nil {
			return pricing.Snapshot{}, noRows(err, "market", marketID)
		}
		return decodeSnapshot(vals, customerID, maxGroups, maxSegments)
	})
}

// The snapshot's columns: the market's, the merchant's name, then for a
// customer the customer's and the seven subqueries'.
var (
	marketColumnCount   = len(strings.Split(marketColumns, ","))
	customerColumnCount = len(strings.Split(customerColumns, ","))
	snapshotMarket      = marketColumnCount + 1
	snapshotColumns     = snapshotMarket + customerColumnCount + 7
)

// snapshotQuery returns the statement of PricingSnapshot and its
// arguments, in the order their placeholders appear.
func snapshotQuery(jb JSONBuilder, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (string, []any) {
	var (
		q    strings.Builder
		args []any
	)
	q.WriteString(`SELECT ` + qualify(marketColumns, "mk") + `, mer.name`)
	if customerID != uuid.Nil {
		id, t := customerID.String(), micros(at)
		str := jb.JSONString
		list := func(item string) string {
			return jb.JSONObject("n", "COUNT(*)", "items", jb.JSONArrayAgg(item))
		}
		q.WriteString(`, ` + qualify(customerColumns, "c"))
		// The groups in force, one more than the limit.
		q.WriteString(`, (SELECT ` + list(jb.JSONObject("id", "x.id", "name", str("x.name"), "until", "x.valid_until",
			"price_list", str("x.price_list_ref"), "promotion", str("x.promotion_ref"), "audience", str("x.content_audience_ref"))) +
			` FROM (SELECT g.id, g.name, m.valid_until, ` + qualifiedRefs("g") + `
				FROM {{prefix}}memberships m JOIN {{prefix}}groups g ON g.id = m.group_id
				WHERE m.customer_id = ? AND ` + memberValidAt("m.") + ` ORDER BY g.id LIMIT ` + itoa(maxGroups+1) + `) x)`)
		args = append(args, id, t, t)
		// Every group ID in force, when there are more than the limit.
		q.WriteString(`, (SELECT CASE WHEN COUNT(*) > ` + itoa(maxGroups) + ` THEN ` + list("m.group_id") + ` END
			FROM {{prefix}}memberships m WHERE m.customer_id = ? AND ` + memberValidAt("m.") + `)`)
		args = append(args, id, t, t)
		q.WriteString(`, (SELECT v.status FROM {{prefix}}verifications v WHERE v.subject_kind = ? AND v.subject_id = ?)`)
		args = append(args, verification.CustomerSubject(customerID).Kind.String(), id)
		q.WriteString(`, (SELECT a.country FROM {{prefix}}addresses a WHERE a.customer_id = ? AND a.default_shipping = ?)`)
		q.WriteString(`, (SELECT a.country FROM {{prefix}}addresses a WHERE a.customer_id = ? AND a.default_billing = ?)`)
		args = append(args, id, true, id, true)
		q.WriteString(`, (SELECT ` + list(jb.JSONObject("currency", str("s.currency"), "orders", "s.order_count",
			"spent", "s.spent", "refunded", "s.refunded", "first", "s.first_order_at", "last", "s.last_order_at")) +
			` FROM {{prefix}}order_stats s WHERE s.customer_id = ?)`)
		args = append(args, id)
		// The first segments, one more than the limit.
		q.WriteString(`, (SELECT ` + list(jb.JSONObject("id", "x.id", "name", str("x.name"), "rule", str("x.rule"),
			"created", "x.created_at", "price_list", str("x.price_list_ref"), "promotion", str("x.promotion_ref"),
			"audience", str("x.content_audience_ref"))) +
			` FROM (SELECT id, name, rule, created_at, ` + refColumns + ` FROM {{prefix}}segments
				ORDER BY created_at, id LIMIT ` + itoa(maxSegments+1) + `) x)`)
	}
	q.WriteString(` FROM {{prefix}}markets mk JOIN {{prefix}}merchants mer ON mer.id = mk.merchant_id`)
	if customerID != uuid.Nil {
		q.WriteString(` LEFT JOIN {{prefix}}customers c ON c.id = ? AND c.deleted_at IS NULL`)
		args = append(args, customerID.String())
	}
	q.WriteString(` WHERE mk.id = ?`)
	return q.String(), append(args, marketID.String())
}

// The lists' JSON forms.
type (
	jsonList[T any] struct {
		N     int `json:"n"`
		Items []T `json:"items"`
	}
	jsonRefs struct {
		PriceList string `json:"price_list"`
		Promotion string `json:"promotion"`
		Audience  string `json:"audience"`
	}
	jsonGroup struct {
		ID    uuid.UUID `json:"id"`
		Name  string    `json:"name"`
		Until *int64    `json:"until"`
		jsonRefs
	}
	jsonSegment struct {
		ID        uuid.UUID `json:"id"`
		Name      string    `json:"name"`
		Rule      string    `json:"rule"`
		CreatedAt int64     `json:"created"`
		jsonRefs
	}
	jsonStats struct {
		Currency   string `json:"currency"`
		OrderCount int64  `json:"orders"`
		Spent      int64  `json:"spent"`
		Refunded   int64  `json:"refunded"`
		First      *int64 `json:"first"`
		Last       *int64 `json:"last"`
	}
)

func (r jsonRefs) refs() pricing.Refs {
	return pricing.Refs{PriceList: r.PriceList, Promotion: r.Promotion, ContentAudience: r.Audience}
}

// decodeList decodes a list column (NULL: none) and checks its count.
func decodeList[T any](v any, what string) ([]T, error) {
	var s sql.NullString
	if err := s.Scan(v); err != nil || !s.Valid {
		return nil, err
	}
	var l jsonList[T]
	if err := json.Unmarshal([]byte(s.String), &l); err != nil {
		return nil, fmt.Errorf("sqlstore: pricing snapshot: %s: %w (%w)", what, storage.ErrNoSnapshot, err)
	}
	if len(l.Items) != l.N {
		return nil, fmt.Errorf("sqlstore: pricing snapshot: %s: %d of %d items: %w", what, len(l.Items), l.N, storage.ErrNoSnapshot)
	}
	return l.Items, nil
}

// decodeSnapshot turns the statement's row into a snapshot.
func decodeSnapshot(vals values, customerID uuid.UUID, maxGroups, maxSegments int) (pricing.Snapshot, error) {
	var out pricing.Snapshot
	m, err := scanMarket(vals[:marketColumnCount])
	if err != nil {
		return out, err
	}
	out.Market = m
	if err := vals[marketColumnCount : marketColumnCount+1].Scan(&out.MerchantName); err != nil {
		return out, err
	}
	if customerID == uuid.Nil {
		return out, nil
	}
	cols := vals[snapshotMarket : snapshotMarket+customerColumnCount]
	if cols[0] == nil {
		return out, notFound("customer", customerID)
	}
	c, err := scanCustomer(cols)
	if err != nil {
		return out, err
	}
	out.Customer = &c
	rest := vals[snapshotMarket+customerColumnCount:]

	groups, err := decodeList[jsonGroup](rest[0], "groups")
	if err != nil {
		return out, err
	}
	slices.SortFunc(groups, func(a, b jsonGroup) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	for _, g := range groups {
		pg := pricing.Group{ID: g.ID, Name: g.Name, Refs: g.refs()}
		if g.Until != nil {
			pg.ValidUntil = fromMicros(*g.Until)
		}
		out.Groups = append(out.Groups, pg)
	}
	if len(out.Groups) > maxGroups {
		out.Groups, out.GroupsTruncated = out.Groups[:maxGroups], true
	}
	if out.InForce, err = decodeList[uuid.UUID](rest[1], "groups in force"); err != nil {
		return out, err
	}
	if out.GroupsTruncated != (out.InForce != nil) { // one statement reads one snapshot: never
		return out, fmt.Errorf("sqlstore: pricing snapshot: %d groups in force, %d IDs: %w", len(groups), len(out.InForce), storage.ErrNoSnapshot)
	}

	var status, ship, bill sql.NullString
	if err := rest[2:5].Scan(&status, &ship, &bill); err != nil {
		return out, err
	}
	out.Verified = status.Valid && status.String == verification.Verified.String()
	out.ShippingCountry, out.BillingCountry = ship.String, bill.String

	stats, err := decodeList[jsonStats](rest[5], "order figures")
	if err != nil {
		return out, err
	}
	for _, js := range stats {
		st, err := js.stats(customerID)
		if err != nil {
			return out, err
		}
		out.Stats = append(out.Stats, st)
	}

	segs, err := decodeList[jsonSegment](rest[6], "segments")
	if err != nil {
		return out, err
	}
	slices.SortFunc(segs, func(a, b jsonSegment) int {
		if a.CreatedAt != b.CreatedAt {
			return cmp.Compare(a.CreatedAt, b.CreatedAt)
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	if len(segs) > maxSegments {
		segs, out.SegmentsTruncated = segs[:maxSegments], true
	}
	for _, sg := range segs {
		r, err := segment.ParseRule([]byte(sg.Rule))
		if err != nil {
			return out, fmt.Errorf("sqlstore: segment %v: stored rule: %w", sg.ID, err)
		}
		out.Segments = append(out.Segments, pricing.Candidate{
			Segment: pricing.Segment{ID: sg.ID, Name: sg.Name, Refs: sg.refs()}, Rule: r})
	}
	return out, nil
}

// stats is the order figures of the JSON form, as scanStats reads them.
func (js jsonStats) stats(customerID uuid.UUID) (order.Stats, error) {
	s := order.Stats{CustomerID: customerID, OrderCount: js.OrderCount}
	c, err := currencyOf(js.Currency)
	if err != nil {
		return s, err
	}
	s.Currency = c
	if s.Spent, err = moneyOf(js.Spent, c); err != nil {
		return s, err
	}
	if s.Refunded, err = moneyOf(js.Refunded, c); err != nil {
		return s, err
	}
	if js.First != nil {
		s.FirstOrderAt = fromMicros(*js.First)
	}
	if js.Last != nil {
		s.LastOrderAt = fromMicros(*js.Last)
	}
	return s, nil
}

// values is a row read into driver values (each column scanned into an
// *any), for the adapter's scan functions: Scan converts each value as
// sql.Rows.Scan does (through the database/sql Null types), so that one
// statement's columns can be split among several scan functions, and a
// LEFT JOIN's columns looked at before they are scanned.
type values []any

// Scan implements scanner.
func (v values) Scan(dest ...any) error {
	if len(dest) != len(v) {
		return fmt.Errorf("sqlstore: %d destinations for %d columns", len(dest), len(v))
	}
	for i, d := range dest {
		if err := assign(d, v[i]); err != nil {
			return fmt.Errorf("sqlstore: column %d: %w", i, err)
		}
	}
	return nil
}

var errNullColumn = errors.New("NULL in a column that is never NULL")

func assign(dest, src any) error {
	switch d := dest.(type) {
	case sql.Scanner:
		return d.Scan(src)
	case *string:
		var n sql.NullString
		if err := n.Scan(src); err != nil {
			return err
		}
		*d = n.String
		return nullErr(n.Valid)
	case *int64:
		var n sql.NullInt64
		if err := n.Scan(src); err != nil {
			return err
		}
		*d = n.Int64
		return nullErr(n.Valid)
	case *bool:
		var n sql.NullBool
		if err := n.Scan(src); err != nil {
			return err
		}
		*d = n.Bool
		return nullErr(n.Valid)
	}
	return fmt.Errorf("sqlstore: cannot scan into %T", dest)
}

func nullErr(valid bool) error {
	if !valid {
		return errNullColumn
	}
	return nil
}
