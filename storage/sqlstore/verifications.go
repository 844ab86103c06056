package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// Verifications (storage.Verifications, schema version 14): one row per
// subject in verifications, the lock of its changes, read with a locking
// read (FOR UPDATE) before every write; the risk flags as JSON text; the
// history in verification_reviews, one row per version (its primary key),
// inserted in the write's transaction. A subject's first record is
// inserted with InsertOrNothing: a concurrent first insert makes it insert
// nothing, and the record is read again under its lock (PostgreSQL at
// SERIALIZABLE fails the insert with a serialization failure instead, and
// Atomic runs the transaction again).

type verificationRecords struct{ base }

// VerificationRecords returns the verification repository: the store has
// the storage.Verifications capability (schema version 14).
func (s *Store) VerificationRecords() storage.VerificationRecords {
	return verificationRecords{base{s: s}}
}

// VerificationRecords returns the transaction's verification repository.
func (r repos) VerificationRecords() storage.VerificationRecords {
	return verificationRecords{base{fixed: &r.c}}
}

var (
	_ storage.Verifications = (*Store)(nil)
	_ storage.Verifications = repos{}
)

const (
	verificationColumns = `subject_kind, subject_id, status, reason, reviewer, risk_flags, updated_at, version`
	reviewColumns       = `subject_kind, subject_id, version, from_status, to_status, reason, reviewer, reviewed_at`
	insertVerification  = `INSERT INTO {{prefix}}verifications (` + verificationColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	updateVerification  = `UPDATE {{prefix}}verifications SET status = ?, reason = ?, reviewer = ?, risk_flags = ?,
	updated_at = ?, version = ? WHERE subject_kind = ? AND subject_id = ? AND version = ?`
	insertReview = `INSERT INTO {{prefix}}verification_reviews (` + reviewColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

func scanVerification(r scanner) (verification.Verification, error) {
	var (
		v                   verification.Verification
		kind, status, flags string
		updated             int64
	)
	if err := r.Scan(&kind, scanUUID{&v.Subject.ID}, &status, &v.Reason, &v.Reviewer, &flags, &updated, &v.Version); err != nil {
		return v, err
	}
	var err error
	if v.Subject.Kind, err = verification.ParseKind(kind); err != nil {
		return v, err
	}
	if v.Status, err = verification.ParseStatus(status); err != nil {
		return v, err
	}
	if err := fromJSON(flags, &v.RiskFlags); err != nil {
		return v, err
	}
	if v.RiskFlags == nil {
		v.RiskFlags = []verification.Flag{}
	}
	v.UpdatedAt = fromMicros(updated)
	return v, nil
}

func scanReview(r scanner) (verification.Review, error) {
	var (
		rv             verification.Review
		kind, from, to string
		at             int64
	)
	if err := r.Scan(&kind, scanUUID{&rv.Subject.ID}, &rv.Version, &from, &to, &rv.Reason, &rv.Reviewer, &at); err != nil {
		return rv, err
	}
	var err error
	if rv.Subject.Kind, err = verification.ParseKind(kind); err != nil {
		return rv, err
	}
	if rv.From, err = verification.ParseStatus(from); err != nil {
		return rv, err
	}
	if rv.To, err = verification.ParseStatus(to); err != nil {
		return rv, err
	}
	rv.At = fromMicros(at)
	return rv, nil
}

// verification reads the subject's record with lock ("" or the dialect's
// ForUpdate); found is false for a subject never stored.
func (c conn) verification(ctx context.Context, s verification.Subject, lock string) (v verification.Verification, found bool, err error) {
	v, err = scanVerification(c.queryRow(ctx, `SELECT `+verificationColumns+` FROM {{prefix}}verifications
		WHERE subject_kind = ? AND subject_id = ?`+lock, s.Kind.String(), s.ID.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return verification.New(s), false, nil
	}
	if err != nil {
		return verification.Verification{}, false, err
	}
	return v, true, nil
}

func (r verificationRecords) Get(ctx context.Context, s verification.Subject) (verification.Verification, error) {
	if err := s.Validate(); err != nil {
		return verification.Verification{}, err
	}
	return read(ctx, r.conn(ctx), func() (verification.Verification, error) {
		v, _, err := r.conn(ctx).verification(ctx, s, "")
		return v, err
	})
}

func (r verificationRecords) Update(ctx context.Context, s verification.Subject, fn func(*verification.Verification) (*verification.Review, error)) (verification.Verification, error) {
	if err := s.Validate(); err != nil {
		return verification.Verification{}, err
	}
	var out verification.Verification
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		for range 2 {
			old, found, err := cn.verification(ctx, s, cn.s.dialect.ForUpdate())
			if err != nil {
				return err
			}
			work := old.Clone()
			review, err := fn(&work)
			if err != nil {
				return err
			}
			v, rv, changed, err := storage.CheckVerification(old, work, review)
			if err != nil {
				return err
			}
			out = v
			if !changed {
				return nil
			}
			flags, err := jsonText(v.RiskFlags)
			if err != nil {
				return err
			}
			if !found {
				n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertVerification), s.Kind.String(), s.ID.String(),
					v.Status.String(), v.Reason, v.Reviewer, flags, micros(v.UpdatedAt), v.Version)
				if err != nil {
					return err
				}
				if n == 0 {
					continue // a concurrent first record committed: read it under its lock
				}
			} else {
				n, err := cn.exec(ctx, updateVerification, v.Status.String(), v.Reason, v.Reviewer, flags,
					micros(v.UpdatedAt), v.Version, s.Kind.String(), s.ID.String(), old.Version)
				if err != nil {
					return err
				}
				if n != 1 {
					return fmt.Errorf("sqlstore: verification %s: the locked record changed: %w", s, storage.ErrConflict)
				}
			}
			if rv != nil {
				if _, err := cn.exec(ctx, insertReview, s.Kind.String(), s.ID.String(), rv.Version, rv.From.String(),
					rv.To.String(), rv.Reason, rv.Reviewer, micros(rv.At)); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("sqlstore: verification %s: the first record did not settle: %w", s, storage.ErrConflict)
	})
	if err != nil {
		return verification.Verification{}, err
	}
	return out.Clone(), nil
}

func (r verificationRecords) History(ctx context.Context, s verification.Subject, p storage.PageRequest) (storage.Page[verification.Review], error) {
	if err := s.Validate(); err != nil {
		return storage.Page[verification.Review]{}, err
	}
	after := int64(0)
	if p.Cursor != "" {
		c, err := storage.ParseCursor(storage.ListVerificationHistory, p.Cursor)
		if err != nil {
			return storage.Page[verification.Review]{}, err
		}
		if c.Seq < 1 || c.Key != "" {
			return storage.Page[verification.Review]{}, fmt.Errorf("%w: not a history position", storage.ErrInvalidCursor)
		}
		after = c.Seq
	}
	return read(ctx, r.conn(ctx), func() (storage.Page[verification.Review], error) {
		size, limit := pageSize(p)
		rows, err := r.conn(ctx).query(ctx, `SELECT `+reviewColumns+` FROM {{prefix}}verification_reviews
			WHERE subject_kind = ? AND subject_id = ? AND version > ? ORDER BY version LIMIT `+itoa(limit),
			s.Kind.String(), s.ID.String(), after)
		if err != nil {
			return storage.Page[verification.Review]{}, err
		}
		items, err := collect(rows, 0, scanReview)
		if err != nil {
			return storage.Page[verification.Review]{}, err
		}
		if items == nil {
			items = []verification.Review{}
		}
		return pageOf(items, size, func(rv verification.Review) storage.Cursor {
			return storage.Cursor{List: storage.ListVerificationHistory, Seq: rv.Version}
		}), nil
	})
}

func (r verificationRecords) List(ctx context.Context, kind verification.Kind, status verification.Status, p storage.PageRequest) (storage.Page[verification.Verification], error) {
	if err := storage.CheckVerificationList(kind, status); err != nil {
		return storage.Page[verification.Verification]{}, err
	}
	at, key, after, err := timeCursor(storage.ListVerifications, p)
	if err != nil {
		return storage.Page[verification.Verification]{}, err
	}
	return read(ctx, r.conn(ctx), func() (storage.Page[verification.Verification], error) {
		q := `SELECT ` + verificationColumns + ` FROM {{prefix}}verifications WHERE subject_kind = ? AND status = ?`
		args := []any{kind.String(), status.String()}
		if after {
			q += ` AND ` + keysetAfter("updated_at", "subject_id")
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		rows, err := r.conn(ctx).query(ctx, q+` ORDER BY updated_at, subject_id LIMIT `+itoa(limit), args...)
		if err != nil {
			return storage.Page[verification.Verification]{}, err
		}
		items, err := collect(rows, 0, scanVerification)
		if err != nil {
			return storage.Page[verification.Verification]{}, err
		}
		if items == nil {
			items = []verification.Verification{}
		}
		return pageOf(items, size, func(v verification.Verification) storage.Cursor {
			return timeCursorOf(storage.ListVerifications, v.UpdatedAt, v.Subject.ID)
		}), nil
	})
}

func (r verificationRecords) Anonymize(ctx context.Context, s verification.Subject) (int, error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	n := 0
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		n = 0
		old, found, err := cn.verification(ctx, s, cn.s.dialect.ForUpdate())
		if err != nil || !found {
			return err
		}
		rows, err := cn.query(ctx, `SELECT `+reviewColumns+` FROM {{prefix}}verification_reviews
			WHERE subject_kind = ? AND subject_id = ? ORDER BY version`+cn.s.dialect.ForUpdate(), s.Kind.String(), s.ID.String())
		if err != nil {
			return err
		}
		hist, err := collect(rows, 0, scanReview)
		if err != nil {
			return err
		}
		for _, rv := range hist {
			a := rv.Anonymized()
			if a == rv {
				continue
			}
			if _, err := cn.exec(ctx, `UPDATE {{prefix}}verification_reviews SET reason = ?, reviewer = ?
				WHERE subject_kind = ? AND subject_id = ? AND version = ?`,
				a.Reason, a.Reviewer, s.Kind.String(), s.ID.String(), rv.Version); err != nil {
				return err
			}
			n++
		}
		v := old.Anonymized()
		flags, err := jsonText(v.RiskFlags)
		if err != nil {
			return err
		}
		_, err = cn.exec(ctx, `UPDATE {{prefix}}verifications SET reason = ?, reviewer = ?, risk_flags = ?
			WHERE subject_kind = ? AND subject_id = ?`, v.Reason, v.Reviewer, flags, s.Kind.String(), s.ID.String())
		return err
	})
	return n, err
}
