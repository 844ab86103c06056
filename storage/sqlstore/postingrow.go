package sqlstore

import (
	"database/sql"

	"github.com/clientele-go/clientele/balance"
)

// postingRow holds what scanning a posting (the account's currency
// followed by postingColumns) writes into, the scan's destinations
// included, so that a posting read allocates this one value beyond what
// its posting keeps (before, each of eight locals and the destinations'
// slice were an allocation of their own).
type postingRow struct {
	p                  balance.Posting
	cur, kind          string
	amount, ending, at int64
	key                sql.NullString
	expires            sql.NullInt64
	dest               [14]any
}

// scan reads the next row of s.
func (r *postingRow) scan(s scanner) (balance.Posting, error) {
	p := &r.p
	r.dest = [14]any{&r.cur, scanUUID{&p.ID}, scanUUID{&p.AccountID}, scanUUID{&p.CustomerID}, &p.Sequence, &r.kind,
		&r.amount, &r.ending, &p.Reference, &r.key, &p.Actor, &p.Note, &r.at, &r.expires}
	err := s.Scan(r.dest[:]...)
	if err != nil {
		return balance.Posting{}, err
	}
	c, err := currencyOf(r.cur)
	if err != nil {
		return balance.Posting{}, err
	}
	if p.Kind, err = balance.ParseKind(r.kind); err != nil {
		return balance.Posting{}, err
	}
	if p.Amount, err = moneyOf(r.amount, c); err != nil {
		return balance.Posting{}, err
	}
	if p.EndingBalance, err = moneyOf(r.ending, c); err != nil {
		return balance.Posting{}, err
	}
	p.IdempotencyKey = r.key.String
	p.CreatedAt = fromMicros(r.at)
	if r.expires.Valid {
		p.ExpiresAt = fromMicros(r.expires.Int64)
	}
	return *p, nil
}
