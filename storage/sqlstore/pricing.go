package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/storage"
)

// PricingRecords returns the pricing repository: the store has the
// storage.Pricing capability.
func (s *Store) PricingRecords() storage.PricingRecords { return pricingRecords{base{s: s}} }

// PricingRecords returns the transaction's pricing repository (the
// storage.Pricing capability).
func (r repos) PricingRecords() storage.PricingRecords { return pricingRecords{base{fixed: &r.c}} }

var (
	_ storage.Pricing = (*Store)(nil)
	_ storage.Pricing = repos{}
)

type pricingRecords struct{ base }

// refColumns are the host reference columns of groups and segments.
const refColumns = `price_list_ref, promotion_ref, content_audience_ref`

func qualifiedRefs(alias string) string { return qualify(refColumns, alias) }

func refArgs(r pricing.Refs) []any { return []any{r.PriceList, r.Promotion, r.ContentAudience} }

func refDest(r *pricing.Refs) []any { return []any{&r.PriceList, &r.Promotion, &r.ContentAudience} }

// setRefs sets the references of the row of table with the ID, locked
// first, and returns those it had.
func (r pricingRecords) setRefs(ctx context.Context, table, what string, id uuid.UUID, refs pricing.Refs) (before pricing.Refs, err error) {
	if err := refs.Validate(); err != nil {
		return before, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		before = pricing.Refs{}
		err := cn.queryRow(ctx, `SELECT `+refColumns+` FROM {{prefix}}`+table+` WHERE id = ?`+cn.s.dialect.ForUpdate(),
			id.String()).Scan(refDest(&before)...)
		if err != nil {
			return noRows(err, what, id)
		}
		if before == refs {
			return nil
		}
		_, err = cn.exec(ctx, `UPDATE {{prefix}}`+table+` SET price_list_ref = ?, promotion_ref = ?, content_audience_ref = ? WHERE id = ?`,
			append(refArgs(refs), id.String())...)
		return err
	})
	return before, err
}

func (r pricingRecords) refs(ctx context.Context, table, what string, id uuid.UUID) (pricing.Refs, error) {
	return read(ctx, r.conn(ctx), func() (pricing.Refs, error) {
		var out pricing.Refs
		err := r.conn(ctx).queryRow(ctx, `SELECT `+refColumns+` FROM {{prefix}}`+table+` WHERE id = ?`, id.String()).Scan(refDest(&out)...)
		return out, noRows(err, what, id)
	})
}

func (r pricingRecords) SetGroupRefs(ctx context.Context, groupID uuid.UUID, refs pricing.Refs) (pricing.Refs, error) {
	return r.setRefs(ctx, "groups", "group", groupID, refs)
}

func (r pricingRecords) SetSegmentRefs(ctx context.Context, segmentID uuid.UUID, refs pricing.Refs) (pricing.Refs, error) {
	return r.setRefs(ctx, "segments", "segment", segmentID, refs)
}

func (r pricingRecords) GroupRefs(ctx context.Context, groupID uuid.UUID) (pricing.Refs, error) {
	return r.refs(ctx, "groups", "group", groupID)
}

func (r pricingRecords) SegmentRefs(ctx context.Context, segmentID uuid.UUID) (pricing.Refs, error) {
	return r.refs(ctx, "segments", "segment", segmentID)
}

type groupsInForce struct {
	groups []pricing.Group
	more   bool
}

// GroupsInForce joins the customer's memberships (the memberships_customer
// index) with their groups in one statement, the windows judged at at.
func (r pricingRecords) GroupsInForce(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) ([]pricing.Group, bool, error) {
	out, err := read(ctx, r.conn(ctx), func() (groupsInForce, error) {
		var out groupsInForce
		rows, err := r.conn(ctx).query(ctx, `SELECT g.id, g.name, m.valid_until, `+qualifiedRefs("g")+`
			FROM {{prefix}}memberships m JOIN {{prefix}}groups g ON g.id = m.group_id
			WHERE m.customer_id = ? AND `+memberValidAt("m.")+` ORDER BY g.id LIMIT `+itoa(limit+1),
			customerID.String(), micros(at), micros(at))
		if err != nil {
			return out, err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				g     pricing.Group
				until sql.NullInt64
			)
			if err := rows.Scan(append([]any{scanUUID{&g.ID}, &g.Name, &until}, refDest(&g.Refs)...)...); err != nil {
				return out, err
			}
			if until.Valid {
				g.ValidUntil = fromMicros(until.Int64)
			}
			out.groups = append(out.groups, g)
		}
		if err := rows.Err(); err != nil {
			return out, err
		}
		if len(out.groups) > limit {
			out.groups, out.more = out.groups[:limit], true
		}
		return out, nil
	})
	return out.groups, out.more, err
}

type segmentsMatched struct {
	segments []pricing.Segment
	more     bool
}

// SegmentsOf reads the first limit+1 segments (the segments_created index),
// then evaluates every rule over the one customer row in a second
// statement: SELECT CASE WHEN <rule 1> THEN 1 ELSE 0 END, ... FROM
// customers c WHERE c.id = ?.
func (r pricingRecords) SegmentsOf(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) ([]pricing.Segment, bool, error) {
	out, err := read(ctx, r.conn(ctx), func() (segmentsMatched, error) {
		var out segmentsMatched
		cn := r.conn(ctx)
		rows, err := cn.query(ctx, `SELECT `+segmentColumns+`, `+refColumns+` FROM {{prefix}}segments
			ORDER BY created_at, id LIMIT `+itoa(limit+1))
		if err != nil {
			return out, err
		}
		type candidate struct {
			seg  pricing.Segment
			cond string
			args []any
		}
		var cands []candidate
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var refs pricing.Refs
				s, err := scanSegment(multiScanner{rows, refDest(&refs)})
				if err != nil {
					return err
				}
				if len(cands) == limit {
					out.more = true
					break
				}
				cond, args, err := cn.compileRule(s.Rule, at)
				if err != nil {
					return err
				}
				cands = append(cands, candidate{pricing.Segment{ID: s.ID, Name: s.Name, Refs: refs}, cond, args})
			}
			return rows.Err()
		}()
		if err != nil || len(cands) == 0 {
			return out, err
		}
		var q strings.Builder
		var args []any
		q.WriteString(`SELECT `)
		for i, c := range cands {
			if i > 0 {
				q.WriteString(`, `)
			}
			q.WriteString(`CASE WHEN (` + c.cond + `) THEN 1 ELSE 0 END`)
			args = append(args, c.args...)
		}
		q.WriteString(` FROM {{prefix}}customers c WHERE c.id = ?`)
		args = append(args, customerID.String())
		hits := make([]int, len(cands))
		dest := make([]any, len(cands))
		for i := range hits {
			dest[i] = &hits[i]
		}
		if err := cn.queryRow(ctx, q.String(), args...).Scan(dest...); err != nil {
			if err == sql.ErrNoRows {
				return out, nil
			}
			return out, err
		}
		for i, c := range cands {
			if hits[i] == 1 {
				out.segments = append(out.segments, c.seg)
			}
		}
		return out, nil
	})
	return out.segments, out.more, err
}

// multiScanner scans a row whose leading columns a scan function reads,
// followed by the columns of extra.
type multiScanner struct {
	rows  *sql.Rows
	extra []any
}

func (m multiScanner) Scan(dest ...any) error { return m.rows.Scan(append(dest, m.extra...)...) }
