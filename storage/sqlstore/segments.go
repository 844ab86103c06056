package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// SegmentRecords returns the segment repository: the store has the
// storage.Segments capability.
func (s *Store) SegmentRecords() storage.SegmentRecords { return segmentRecords{base{s: s}} }

// SegmentRecords returns the transaction's segment repository.
func (r repos) SegmentRecords() storage.SegmentRecords { return segmentRecords{base{fixed: &r.c}} }

// SegmentEvaluator returns the segment evaluator: the store has the
// storage.SegmentEvaluation capability. It translates a rule to a WHERE
// clause (EXISTS subqueries over customer_tags, memberships, addresses and
// order_stats; every value a bind parameter) and walks the customers'
// (created_at, id) index, as Customers.List does.
func (s *Store) SegmentEvaluator() storage.SegmentEvaluator { return segmentEval{base{s: s}} }

// SegmentEvaluator returns the transaction's segment evaluator.
func (r repos) SegmentEvaluator() storage.SegmentEvaluator { return segmentEval{base{fixed: &r.c}} }

var (
	_ storage.Segments          = (*Store)(nil)
	_ storage.Segments          = repos{}
	_ storage.SegmentEvaluation = (*Store)(nil)
	_ storage.SegmentEvaluation = repos{}
)

type segmentRecords struct{ base }

const segmentColumns = `id, name, description, rule, created_at, updated_at, version`

func segmentArgs(s segment.Segment) ([]any, error) {
	rule, err := segment.MarshalRule(s.Rule)
	if err != nil {
		return nil, err
	}
	return []any{s.ID.String(), s.Name, s.Description, string(rule), micros(s.CreatedAt), micros(s.UpdatedAt), s.Version}, nil
}

func scanSegment(r scanner) (segment.Segment, error) {
	var (
		s                segment.Segment
		rule             string
		created, updated int64
	)
	if err := r.Scan(scanUUID{&s.ID}, &s.Name, &s.Description, &rule, &created, &updated, &s.Version); err != nil {
		return segment.Segment{}, err
	}
	ru, err := segment.ParseRule([]byte(rule))
	if err != nil {
		return segment.Segment{}, fmt.Errorf("sqlstore: segment %v: stored rule: %w", s.ID, err)
	}
	s.Rule = ru
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, nil
}

const insertSegment = `INSERT INTO {{prefix}}segments (` + segmentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)`

func (r segmentRecords) Create(ctx context.Context, s segment.Segment) (segment.Segment, error) {
	s, err := storage.NewSegment(s)
	if err != nil {
		return segment.Segment{}, err
	}
	args, err := segmentArgs(s)
	if err != nil {
		return segment.Segment{}, err
	}
	err = r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertSegment), args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		return nil
	})
	if err != nil {
		return segment.Segment{}, err
	}
	return s.Clone(), nil
}

func (r segmentRecords) Get(ctx context.Context, id uuid.UUID) (segment.Segment, error) {
	return read(ctx, r.conn(ctx), func() (segment.Segment, error) {
		s, err := scanSegment(r.conn(ctx).queryRow(ctx, `SELECT `+segmentColumns+` FROM {{prefix}}segments WHERE id = ?`, id.String()))
		return s, noRows(err, "segment", id)
	})
}

const updateSegment = `UPDATE {{prefix}}segments SET name = ?, description = ?, rule = ?, created_at = ?, updated_at = ?, version = ? WHERE id = ?`

func (r segmentRecords) Update(ctx context.Context, id uuid.UUID, fn func(*segment.Segment) error) (segment.Segment, error) {
	var out segment.Segment
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanSegment(cn.queryRow(ctx, `SELECT `+segmentColumns+` FROM {{prefix}}segments WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "segment", id)
		}
		s, err := storage.UpdateSegment(old, fn)
		if err != nil {
			return err
		}
		args, err := segmentArgs(s)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateSegment, append(args[1:], s.ID.String())...); err != nil {
			return err
		}
		out = s
		return nil
	})
	if err != nil {
		return segment.Segment{}, err
	}
	return out.Clone(), nil
}

func (r segmentRecords) Delete(ctx context.Context, id uuid.UUID) error {
	return r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, `DELETE FROM {{prefix}}segments WHERE id = ?`, id.String())
		if err != nil {
			return err
		}
		if n == 0 {
			return noRows(sql.ErrNoRows, "segment", id)
		}
		return nil
	})
}

func (r segmentRecords) List(ctx context.Context, p storage.PageRequest) (storage.Page[segment.Segment], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[segment.Segment], error) {
		var page storage.Page[segment.Segment]
		at, key, after, err := timeCursor(storage.ListSegments, p)
		if err != nil {
			return page, err
		}
		q, args := `SELECT `+segmentColumns+` FROM {{prefix}}segments`, []any{}
		if after {
			q += ` WHERE ` + keysetAfter("created_at", "id")
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		rows, err := r.conn(ctx).query(ctx, q+` ORDER BY created_at, id LIMIT `+itoa(limit), args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), scanSegment)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(s segment.Segment) storage.Cursor {
			return timeCursorOf(storage.ListSegments, s.CreatedAt, s.ID)
		}), nil
	})
}

type segmentEval struct{ base }

// errNoMetadataMatcher is returned for a metadata condition on a dialect
// without MetadataMatcher.
var errNoMetadataMatcher = errors.New("sqlstore: the dialect cannot match metadata (no MetadataMatcher)")

// ruleSQL accumulates the WHERE clause of a rule and its arguments.
type ruleSQL struct {
	d    Dialect
	at   int64 // the time memberships are judged at, in microseconds; 0: their windows ignored
	q    strings.Builder
	args []any
}

// fence is appended inside every EXISTS subquery. On PostgreSQL it is
// " OFFSET 0", which keeps the planner from turning the subquery into a
// (hash) semi-join over the whole table: a generic plan of a prepared
// statement then scanned every customer and sorted them, where the page
// needs only to walk the (created_at, id) index and probe each customer's
// rows until the page is full (TestSegmentPlan). The cost is that a rule
// almost nobody matches walks the whole index.
func (w *ruleSQL) fence() string {
	if w.d.Name() == "postgres" {
		return " OFFSET 0"
	}
	return ""
}

// where writes the condition of the normalized rule r over the customers
// aliased c. Every value is a bind parameter.
func (w *ruleSQL) where(r segment.Rule) error {
	switch r.Kind() {
	case "all", "any":
		rs, join, empty := r.All, " AND ", "1 = 1"
		if r.Kind() == "any" {
			rs, join, empty = r.Any, " OR ", "1 = 0"
		}
		if len(rs) == 0 {
			w.q.WriteString(empty)
			return nil
		}
		w.q.WriteString("(")
		for i, c := range rs {
			if i > 0 {
				w.q.WriteString(join)
			}
			if err := w.where(c); err != nil {
				return err
			}
		}
		w.q.WriteString(")")
		return nil
	case "not":
		w.q.WriteString("NOT (")
		if err := w.where(*r.Not); err != nil {
			return err
		}
		w.q.WriteString(")")
		return nil
	case "condition":
		return w.condition(*r.Condition)
	}
	return fmt.Errorf("sqlstore: %w", segment.ErrInvalid)
}

// sqlOps are the SQL operators of the comparisons; the inverse of each is
// in sqlNotOps.
var sqlOps = map[segment.Op]string{segment.OpEq: "=", segment.OpLt: "<", segment.OpLte: "<=", segment.OpGt: ">", segment.OpGte: ">="}

func (w *ruleSQL) add(sql string, args ...any) {
	w.q.WriteString(sql)
	w.args = append(w.args, args...)
}

// condition writes one condition: each is a boolean that is never NULL, so
// that NOT keeps the meaning it has in segment.Matches.
func (w *ruleSQL) condition(c segment.Condition) error {
	if !storable(c.Value) || !storable(c.Key) {
		w.add("1 = 0")
		return nil
	}
	op := sqlOps[c.Op]
	switch c.Field {
	case segment.FieldTag:
		w.add(`EXISTS (SELECT 1 FROM {{prefix}}customer_tags t WHERE t.customer_id = c.id AND t.tag = ?`+w.fence()+`)`, c.Value)
	case segment.FieldType:
		w.add(`c.type = ?`, c.Value)
	case segment.FieldStatus:
		w.add(`c.status = ?`, c.Value)
	case segment.FieldState:
		w.add(`c.state = ?`, c.Value)
	case segment.FieldGroup:
		if w.at == 0 {
			w.add(`EXISTS (SELECT 1 FROM {{prefix}}memberships m WHERE m.group_id = ? AND m.customer_id = c.id`+w.fence()+`)`, c.Value)
			break
		}
		w.add(`EXISTS (SELECT 1 FROM {{prefix}}memberships m WHERE m.group_id = ? AND m.customer_id = c.id`+
			` AND (m.valid_from IS NULL OR m.valid_from <= ?) AND (m.valid_until IS NULL OR m.valid_until > ?)`+w.fence()+`)`,
			c.Value, w.at, w.at)
	case segment.FieldMetadata:
		mm, ok := w.d.(MetadataMatcher)
		if !ok {
			return errNoMetadataMatcher
		}
		object, err := jsonText(map[string]string{c.Key: c.Value})
		if err != nil {
			return err
		}
		w.add(mm.MetadataHas("c.metadata", "?"), object)
	case segment.FieldCountry:
		column := "a.default_shipping"
		if c.Key == "billing" {
			column = "a.default_billing"
		}
		w.add(`EXISTS (SELECT 1 FROM {{prefix}}addresses a WHERE a.customer_id = c.id AND `+column+` = ? AND a.country = ?`+w.fence()+`)`, true, c.Value)
	case segment.FieldCreatedAt:
		t, err := c.Time()
		if err != nil {
			return err
		}
		w.add(`c.created_at `+op+` ?`, micros(t))
	case segment.FieldOrderCount:
		n, err := c.Int()
		if err != nil {
			return err
		}
		w.add(`c.order_count `+op+` ?`, n)
	case segment.FieldSpent:
		m, err := c.Amount()
		if err != nil {
			return err
		}
		// A customer without figures in the currency has spent zero:
		// where zero passes the comparison, the condition is "no figures
		// in the currency fail it".
		const stats = `SELECT 1 FROM {{prefix}}order_stats s WHERE s.customer_id = c.id AND s.currency = ? AND `
		if c.Op.Compare(cmpZero(m.MinorUnits())) {
			w.add(`NOT EXISTS (`+stats+`NOT (s.spent `+op+` ?)`+w.fence()+`)`, m.Currency().Code(), m.MinorUnits())
		} else {
			w.add(`EXISTS (`+stats+`s.spent `+op+` ?`+w.fence()+`)`, m.Currency().Code(), m.MinorUnits())
		}
	case segment.FieldLastOrderAt:
		t, err := c.Time()
		if err != nil {
			return err
		}
		// The latest order time over every currency: "latest op t".
		const stats = `SELECT 1 FROM {{prefix}}order_stats s WHERE s.customer_id = c.id AND s.order_count > 0 AND s.last_order_at IS NOT NULL`
		at := micros(t)
		switch c.Op {
		case segment.OpGt, segment.OpGte:
			w.add(`EXISTS (`+stats+` AND s.last_order_at `+op+` ?`+w.fence()+`)`, at)
		case segment.OpLt, segment.OpLte:
			inverse := map[segment.Op]string{segment.OpLt: ">=", segment.OpLte: ">"}[c.Op]
			w.add(`(EXISTS (`+stats+w.fence()+`) AND NOT EXISTS (`+stats+` AND s.last_order_at `+inverse+` ?`+w.fence()+`))`, at)
		case segment.OpEq:
			w.add(`(EXISTS (`+stats+` AND s.last_order_at = ?`+w.fence()+`) AND NOT EXISTS (`+stats+` AND s.last_order_at > ?`+w.fence()+`))`, at, at)
		}
	default:
		return fmt.Errorf("sqlstore: segment field %s: %w", c.Field, segment.ErrInvalid)
	}
	return nil
}

// cmpZero compares 0 with n.
func cmpZero(n int64) int {
	switch {
	case n > 0:
		return -1
	case n < 0:
		return 1
	}
	return 0
}

// compile returns the WHERE clause (without WHERE) selecting the live
// customers r matches, and its arguments.
func (cn conn) compileRule(r segment.Rule, at time.Time) (string, []any, error) {
	w := &ruleSQL{d: cn.s.dialect, at: atMicros(at)}
	w.q.WriteString(`c.deleted_at IS NULL AND `)
	if err := w.where(r); err != nil {
		return "", nil, err
	}
	return w.q.String(), w.args, nil
}

// atMicros is at in microseconds, 0 for a zero at.
func atMicros(at time.Time) int64 {
	if at.IsZero() {
		return 0
	}
	return micros(at)
}

// SegmentMembersQuery returns the statement Members runs for a page of
// size items of the normalized rule r on dialect d, memberships judged at
// membersAt (see storage.SegmentEvaluator) (with {{prefix}} and ?
// placeholders, before sqlstore.Render), with its arguments; after a
// cursor (at, id) the keyset condition comes last. Hosts and tests EXPLAIN
// it to see the plan of a segment's page.
func SegmentMembersQuery(d Dialect, r segment.Rule, membersAt time.Time, size int, after bool, at int64, id string) (string, []any, error) {
	w := &ruleSQL{d: d, at: atMicros(membersAt)}
	w.q.WriteString(`c.deleted_at IS NULL AND `)
	if err := w.where(r); err != nil {
		return "", nil, err
	}
	q, args := `SELECT `+qualify(customerColumns, "c")+` FROM {{prefix}}customers c WHERE `+w.q.String(), w.args
	if after {
		q += ` AND ` + keysetAfter("c.created_at", "c.id")
		args = append(args, at, at, id)
	}
	_, limit := pageSize(storage.PageRequest{Limit: size})
	return q + ` ORDER BY c.created_at, c.id LIMIT ` + itoa(limit), args, nil
}

func (r segmentEval) Members(ctx context.Context, rule segment.Rule, membersAt time.Time, p storage.PageRequest) (storage.Page[customer.Customer], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[customer.Customer], error) {
		var page storage.Page[customer.Customer]
		at, key, after, err := timeCursor(storage.ListSegmentMembers, p)
		if err != nil {
			return page, err
		}
		cn := r.conn(ctx)
		q, args, err := SegmentMembersQuery(cn.s.dialect, rule, membersAt, p.Limit, after, at, key)
		if err != nil {
			return page, err
		}
		size, limit := pageSize(p)
		rows, err := cn.query(ctx, q, args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newCustomerRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(c customer.Customer) storage.Cursor {
			return timeCursorOf(storage.ListSegmentMembers, c.CreatedAt, c.ID)
		}), nil
	})
}

func (r segmentEval) Count(ctx context.Context, rule segment.Rule, at time.Time) (int64, error) {
	return read(ctx, r.conn(ctx), func() (int64, error) {
		cn := r.conn(ctx)
		where, args, err := cn.compileRule(rule, at)
		if err != nil {
			return 0, err
		}
		var n int64
		err = cn.queryRow(ctx, `SELECT COUNT(*) FROM {{prefix}}customers c WHERE `+where, args...).Scan(&n)
		return n, err
	})
}

func (r segmentEval) Matches(ctx context.Context, rule segment.Rule, customerID uuid.UUID, at time.Time) (bool, error) {
	return read(ctx, r.conn(ctx), func() (bool, error) {
		cn := r.conn(ctx)
		where, args, err := cn.compileRule(rule, at)
		if err != nil {
			return false, err
		}
		var one int
		err = cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}customers c WHERE c.id = ? AND `+where,
			append([]any{customerID.String()}, args...)...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	})
}
