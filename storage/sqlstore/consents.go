package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/storage"
)

// Consents (storage.Consents, schema version 17): one row per customer in
// consent_heads, the lock of its history and its last Seq, read with a
// locking read (FOR UPDATE) before every append; the history in
// consent_records, one row per record. Append reads the customer's
// records with a locking read too (a plain read in InnoDB's REPEATABLE
// READ could show a snapshot older than the lock), so fn sees every
// committed record. A customer's first head is inserted with
// InsertOrNothing and read again under its lock. State is one query: the
// records no later record of their pair follows, by (at, seq). Move (a
// merge) re-points a history with one UPDATE and closes its head: Seq -1,
// which every later Append refuses.

type consentRecords struct{ base }

// ConsentRecords returns the consent repository: the store has the
// storage.Consents capability (schema version 17).
func (s *Store) ConsentRecords() storage.ConsentRecords {
	return consentRecords{base{s: s}}
}

// ConsentRecords returns the transaction's consent repository.
func (r repos) ConsentRecords() storage.ConsentRecords {
	return consentRecords{base{fixed: &r.c}}
}

var (
	_ storage.Consents = (*Store)(nil)
	_ storage.Consents = repos{}
)

const (
	consentColumns = `id, customer_id, seq, channel, purpose, status, at, actor, source, wording_version, ip,
	user_agent, note, token_hash, expires_at, confirms`
	insertConsent = `INSERT INTO {{prefix}}consent_records (` + consentColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// selectConsentState selects the latest record of each pair.
	selectConsentState = `SELECT ` + consentColumns + ` FROM {{prefix}}consent_records r WHERE r.customer_id = ?
	AND NOT EXISTS (SELECT 1 FROM {{prefix}}consent_records n WHERE n.customer_id = r.customer_id
		AND n.channel = r.channel AND n.purpose = r.purpose AND (n.at > r.at OR (n.at = r.at AND n.seq > r.seq)))`
)

var consentConstraints = map[string]storage.Constraint{
	"consent_records_pkey": storage.ConstraintConsentID,
}

func scanConsent(r scanner) (consent.Record, error) {
	var (
		rec                      consent.Record
		channel, purpose, status string
		confirms                 string
		at, expires              int64
		hash                     []byte
	)
	if err := r.Scan(scanUUID{&rec.ID}, scanUUID{&rec.CustomerID}, &rec.Seq, &channel, &purpose, &status, &at,
		&rec.Actor, &rec.Source, &rec.WordingVersion, &rec.IP, &rec.UserAgent, &rec.Note, &hash, &expires, &confirms); err != nil {
		return rec, err
	}
	var err error
	if rec.Channel, err = consent.ParseChannel(channel); err != nil {
		return rec, err
	}
	if rec.Purpose, err = consent.ParsePurpose(purpose); err != nil {
		return rec, err
	}
	if rec.Status, err = consent.ParseStatus(status); err != nil {
		return rec, err
	}
	switch len(hash) {
	case 0:
	case len(rec.TokenHash):
		copy(rec.TokenHash[:], hash)
	default:
		return rec, fmt.Errorf("sqlstore: stored consent token hash of %d bytes, want %d", len(hash), len(rec.TokenHash))
	}
	if confirms != "" {
		if rec.Confirms, err = uuid.Parse(confirms); err != nil {
			return rec, fmt.Errorf("sqlstore: stored consent confirms: %w", err)
		}
	}
	rec.At = fromMicros(at)
	if expires != 0 {
		rec.ExpiresAt = fromMicros(expires)
	}
	return rec, nil
}

// consentArgs returns rec's column values in consentColumns order.
func consentArgs(rec consent.Record) []any {
	hash := []byte{}
	if !rec.TokenHash.IsZero() {
		hash = rec.TokenHash[:]
	}
	expires, confirms := int64(0), ""
	if !rec.ExpiresAt.IsZero() {
		expires = micros(rec.ExpiresAt)
	}
	if rec.Confirms != uuid.Nil {
		confirms = rec.Confirms.String()
	}
	return []any{rec.ID.String(), rec.CustomerID.String(), rec.Seq, rec.Channel.String(), rec.Purpose.String(),
		rec.Status.String(), micros(rec.At), rec.Actor, rec.Source, rec.WordingVersion, rec.IP, rec.UserAgent,
		rec.Note, hash, expires, confirms}
}

func (r consentRecords) Append(ctx context.Context, customerID uuid.UUID, fn func(consent.State) ([]consent.Record, error)) ([]consent.Record, error) {
	if customerID == uuid.Nil {
		return nil, fmt.Errorf("%w: no customer", storage.ErrInvalidRecord)
	}
	var out []consent.Record
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		last, err := cn.lockConsentHead(ctx, customerID)
		if err != nil {
			return err
		}
		if last == closedConsentHead {
			return storage.ConsentHistoryClosed(customerID)
		}
		rows, err := cn.query(ctx, `SELECT `+consentColumns+` FROM {{prefix}}consent_records
			WHERE customer_id = ? ORDER BY seq`+cn.s.dialect.ForUpdate(), customerID.String())
		if err != nil {
			return err
		}
		hist, err := collect(rows, 0, scanConsent)
		if err != nil {
			return err
		}
		recs, err := fn(consent.NewState(customerID, hist))
		if err != nil {
			return err
		}
		recs, err = storage.CheckConsentRecords(customerID, last, recs)
		if err != nil {
			return err
		}
		out = recs
		if len(recs) == 0 {
			out = []consent.Record{}
			return nil
		}
		for _, rec := range recs {
			if _, err := cn.exec(ctx, insertConsent, consentArgs(rec)...); err != nil {
				return cn.uniqueConflict(err, consentConstraints, func() (storage.Constraint, error) {
					var one int
					err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}consent_records WHERE id = ?`, rec.ID.String()).Scan(&one)
					if err != nil {
						return "", err
					}
					return storage.ConstraintConsentID, nil
				})
			}
		}
		n, err := cn.exec(ctx, `UPDATE {{prefix}}consent_heads SET seq = ? WHERE customer_id = ? AND seq = ?`,
			recs[len(recs)-1].Seq, customerID.String(), last)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("sqlstore: consent of customer %s: the locked head changed: %w", customerID, storage.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// closedConsentHead is the Seq of the head of a history Move closed.
const closedConsentHead = -1

// lockConsentHead locks the customer's consent head with a locking read
// and returns its Seq (closedConsentHead for a closed history). A customer
// without one gets one first, inserted with InsertOrNothing and read
// again under its lock (it may be a concurrent first head).
func (c conn) lockConsentHead(ctx context.Context, customerID uuid.UUID) (int64, error) {
	for range 2 {
		var last int64
		err := c.queryRow(ctx, `SELECT seq FROM {{prefix}}consent_heads WHERE customer_id = ?`+c.s.dialect.ForUpdate(),
			customerID.String()).Scan(&last)
		if !errors.Is(err, sql.ErrNoRows) {
			return last, err
		}
		if _, err := c.exec(ctx, c.s.dialect.InsertOrNothing(`INSERT INTO {{prefix}}consent_heads
			(customer_id, seq) VALUES (?, ?)`), customerID.String(), 0); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("sqlstore: consent of customer %s: the first head did not settle: %w", customerID, storage.ErrConflict)
}

// Move locks both heads in ascending ID order, re-points from's records
// with one UPDATE (Seq shifted past to's head), advances to's head and
// closes from's.
func (r consentRecords) Move(ctx context.Context, from, to uuid.UUID) (int, error) {
	if err := storage.CheckConsentMove(from, to); err != nil {
		return 0, err
	}
	var moved int64
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		moved = 0
		order := []uuid.UUID{from, to}
		if bytes.Compare(to[:], from[:]) < 0 {
			order = []uuid.UUID{to, from}
		}
		heads := map[uuid.UUID]int64{}
		for _, id := range order {
			seq, err := cn.lockConsentHead(ctx, id)
			if err != nil {
				return err
			}
			heads[id] = seq
		}
		last, dest := heads[from], heads[to]
		switch {
		case dest == closedConsentHead:
			return storage.ConsentHistoryClosed(to)
		case last == closedConsentHead:
			return nil
		}
		if last > 0 {
			var err error
			if moved, err = cn.exec(ctx, `UPDATE {{prefix}}consent_records SET customer_id = ?, seq = seq + ?
				WHERE customer_id = ?`, to.String(), dest, from.String()); err != nil {
				return err
			}
			// Seq has no gaps, so from's records were 1..last.
			if _, err := cn.exec(ctx, `UPDATE {{prefix}}consent_heads SET seq = ? WHERE customer_id = ?`,
				dest+last, to.String()); err != nil {
				return err
			}
		}
		_, err := cn.exec(ctx, `UPDATE {{prefix}}consent_heads SET seq = ? WHERE customer_id = ?`,
			closedConsentHead, from.String())
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(moved), nil
}

func (r consentRecords) State(ctx context.Context, customerID uuid.UUID) (consent.State, error) {
	return read(ctx, r.conn(ctx), func() (consent.State, error) {
		rows, err := r.conn(ctx).query(ctx, selectConsentState, customerID.String())
		if err != nil {
			return consent.State{}, err
		}
		recs, err := collect(rows, 0, scanConsent)
		if err != nil {
			return consent.State{}, err
		}
		return consent.NewState(customerID, recs), nil
	})
}

func (r consentRecords) History(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (storage.Page[consent.Record], error) {
	after := int64(0)
	if p.Cursor != "" {
		c, err := storage.ParseCursor(storage.ListConsentHistory, p.Cursor)
		if err != nil {
			return storage.Page[consent.Record]{}, err
		}
		if c.Seq < 1 || c.Key != "" {
			return storage.Page[consent.Record]{}, fmt.Errorf("%w: not a history position", storage.ErrInvalidCursor)
		}
		after = c.Seq
	}
	return read(ctx, r.conn(ctx), func() (storage.Page[consent.Record], error) {
		size, limit := pageSize(p)
		rows, err := r.conn(ctx).query(ctx, `SELECT `+consentColumns+` FROM {{prefix}}consent_records
			WHERE customer_id = ? AND seq > ? ORDER BY seq LIMIT `+itoa(limit), customerID.String(), after)
		if err != nil {
			return storage.Page[consent.Record]{}, err
		}
		items, err := collect(rows, 0, scanConsent)
		if err != nil {
			return storage.Page[consent.Record]{}, err
		}
		if items == nil {
			items = []consent.Record{}
		}
		return pageOf(items, size, func(rec consent.Record) storage.Cursor {
			return storage.Cursor{List: storage.ListConsentHistory, Seq: rec.Seq}
		}), nil
	})
}

func (r consentRecords) ByToken(ctx context.Context, h credential.TokenHash) (consent.Record, error) {
	if h.IsZero() {
		return consent.Record{}, fmt.Errorf("consent token: %w", storage.ErrNotFound)
	}
	return read(ctx, r.conn(ctx), func() (consent.Record, error) {
		rec, err := scanConsent(r.conn(ctx).queryRow(ctx, `SELECT `+consentColumns+` FROM {{prefix}}consent_records
			WHERE token_hash = ? AND status = ?`, h[:], consent.Pending.String()))
		if errors.Is(err, sql.ErrNoRows) {
			return consent.Record{}, fmt.Errorf("consent token: %w", storage.ErrNotFound)
		}
		return rec, err
	})
}

func (r consentRecords) Anonymize(ctx context.Context, customerID uuid.UUID) (int, error) {
	n := 0
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var err error
		n64, err := cn.exec(ctx, `UPDATE {{prefix}}consent_records SET ip = '', user_agent = '', note = ''
			WHERE customer_id = ? AND (ip <> '' OR user_agent <> '' OR note <> '')`, customerID.String())
		n = int(n64)
		return err
	})
	return n, err
}
