package memory

import (
	"context"
	"slices"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// VerificationRecords returns the verification repository: the store has
// the storage.Verifications capability.
func (s *Store) VerificationRecords() storage.VerificationRecords {
	return verificationRecords{repos{store: s}}
}

// VerificationRecords returns the verification repository (the
// storage.Verifications capability).
func (r repos) VerificationRecords() storage.VerificationRecords { return verificationRecords{r} }

var (
	_ storage.Verifications = (*Store)(nil)
	_ storage.Verifications = repos{}
)

type verificationRecords struct{ repos }

// verifyList keys the index of stored verifications by kind and status.
type verifyList struct {
	kind   verification.Kind
	status verification.Status
}

// verification returns a copy of the subject's verification, new when
// absent.
func (d *db) verification(s verification.Subject) verification.Verification {
	if v, ok := d.verifications[s]; ok {
		return v.Clone()
	}
	return verification.New(s)
}

func (r verificationRecords) Get(ctx context.Context, s verification.Subject) (out verification.Verification, err error) {
	if err := s.Validate(); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		out = d.verification(s)
		return nil
	})
	return out, err
}

// putVerification stores v in place of old, keeping the status index.
func putVerification(t *txn, d *db, old, v verification.Verification) {
	if old.Version > 0 {
		if tree := d.verifyByStatus[verifyList{old.Subject.Kind, old.Status}]; tree != nil {
			remove(t, tree, timeKey{old.UpdatedAt, old.Subject.ID})
		}
	}
	insert(t, treeFor(t, d.verifyByStatus, verifyList{v.Subject.Kind, v.Status}, lessTimeKey), timeKey{v.UpdatedAt, v.Subject.ID})
	put(t, d.verifications, v.Subject, v)
}

func (r verificationRecords) Update(ctx context.Context, s verification.Subject, fn func(*verification.Verification) (*verification.Review, error)) (out verification.Verification, err error) {
	if err := s.Validate(); err != nil {
		return out, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old := d.verification(s)
		work := old.Clone()
		review, err := fn(&work)
		if err != nil {
			return err
		}
		v, rv, changed, err := storage.CheckVerification(old, work, review)
		if err != nil {
			return err
		}
		if changed {
			putVerification(t, d, old, v)
			if rv != nil {
				hist := d.reviews[s]
				put(t, d.reviews, s, append(hist[:len(hist):len(hist)], *rv))
			}
		}
		out = v.Clone()
		return nil
	})
	return out, err
}

func (r verificationRecords) History(ctx context.Context, s verification.Subject, p storage.PageRequest) (out storage.Page[verification.Review], err error) {
	if err := s.Validate(); err != nil {
		return out, err
	}
	after := int64(0)
	if p.Cursor != "" {
		c, err := storage.ParseCursor(storage.ListVerificationHistory, p.Cursor)
		if err != nil {
			return out, err
		}
		after = c.Seq
	}
	err = r.read(ctx, func(d *db) error {
		hist := d.reviews[s]
		i, _ := slices.BinarySearchFunc(hist, after+1, func(r verification.Review, v int64) int {
			return cmpInt64(r.Version, v)
		})
		size := p.Size()
		rest := hist[i:]
		out = storage.Page[verification.Review]{Items: slices.Clone(rest[:min(size, len(rest))])}
		if out.Items == nil {
			out.Items = []verification.Review{}
		}
		if len(rest) > size {
			out.Next = storage.Cursor{List: storage.ListVerificationHistory, Seq: out.Items[size-1].Version}.String()
		}
		return nil
	})
	return out, err
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r verificationRecords) List(ctx context.Context, kind verification.Kind, status verification.Status, p storage.PageRequest) (out storage.Page[verification.Verification], err error) {
	if err := storage.CheckVerificationList(kind, status); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		tree := d.verifyByStatus[verifyList{kind, status}]
		if tree == nil {
			tree = newTimeIndex()
		}
		out, err = pageAfter(tree, lessTimeKey, storage.ListVerifications, p, timeFrom, timeCursor,
			every(func(k timeKey) verification.Verification {
				return d.verifications[verification.Subject{Kind: kind, ID: k.id}].Clone()
			}))
		return err
	})
	return out, err
}

func (r verificationRecords) Anonymize(ctx context.Context, s verification.Subject) (n int, err error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		old, ok := d.verifications[s]
		if !ok {
			return nil
		}
		put(t, d.verifications, s, old.Anonymized())
		hist := slices.Clone(d.reviews[s])
		for i, rv := range hist {
			if a := rv.Anonymized(); a != rv {
				hist[i] = a
				n++
			}
		}
		put(t, d.reviews, s, hist)
		return nil
	})
	return n, err
}
