package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

var _ storage.BulkLoader = repos{}

// maxBulkParams bounds the bind parameters of one multi-row statement,
// under every engine's limit (SQLite 32766, PostgreSQL and MySQL 65535).
const maxBulkParams = 8192

// maxInList bounds the keys of one existence query (its UNION ALL
// branches): the statement stays small to plan and to cache.
const maxInList = 64

// bulkChunk returns how many of n rows of cols columns one statement
// takes: all of them up to the bound, else the largest power of two under
// it, so that a store prepares few texts (one per power of two).
func bulkChunk(n, cols int) int {
	most := max(maxBulkParams/cols, 1)
	k := 1
	for k*2 <= min(n, most) {
		k *= 2
	}
	return k
}

// valuesList returns k copies of the row tuple values, comma-separated.
func valuesList(values string, k int) string {
	return strings.TrimSuffix(strings.Repeat(values+", ", k), ", ")
}

// insertRows inserts rows with multi-row plain INSERTs of head (an INSERT
// up to VALUES) and the row tuple values: a taken key fails the statement.
// Their keys were checked just before; PostgreSQL's ON CONFLICT DO NOTHING
// (a speculative insertion into every unique index) made a bulk import
// about a quarter slower.
func (c conn) insertRows(ctx context.Context, head, values string, rows [][]any) error {
	for len(rows) > 0 {
		k := bulkChunk(len(rows), len(rows[0]))
		args := make([]any, 0, k*len(rows[0]))
		for _, r := range rows[:k] {
			args = append(args, r...)
		}
		n, err := c.exec(ctx, head+valuesList(values, k), args...)
		if err != nil {
			return err
		}
		if n != int64(k) {
			return fmt.Errorf("sqlstore: a multi-row INSERT of %d rows inserted %d", k, n)
		}
		rows = rows[k:]
	}
	return nil
}

// CustomersExist reports which of cs a live customer holds a key of, with
// one query per power-of-two chunk of references (per origin) and of
// emails. See storage.BulkLoader.
func (r repos) CustomersExist(ctx context.Context, cs []customer.Customer) ([]bool, error) {
	if err := storage.CheckBulk(cs); err != nil {
		return nil, err
	}
	return read(ctx, r.c, func() ([]bool, error) { return r.c.customersExist(ctx, cs) })
}

type emailKey struct {
	email      string
	hasAccount bool
}

type refKey struct{ origin, reference string }

// customersExist is CustomersExist's query.
func (c conn) customersExist(ctx context.Context, cs []customer.Customer) ([]bool, error) {
	refs := map[string][]string{} // origin -> references
	var emails []emailKey
	seenEmail := map[emailKey]bool{}
	for _, cu := range cs {
		if cu.Reference != "" {
			refs[cu.ReferenceOrigin] = append(refs[cu.ReferenceOrigin], cu.Reference)
		}
		if key := (emailKey{cu.Email.Address, cu.HasAccount}); !seenEmail[key] {
			seenEmail[key] = true
			emails = append(emails, key)
		}
	}
	takenRef := map[refKey]bool{}
	for origin, list := range refs {
		for len(list) > 0 {
			k := min(bulkChunk(len(list), 1), maxInList)
			// One branch per key, each the shape of GetByReference's
			// query: an IN list on the index's second column may be
			// planned as a filter over every row of the origin.
			args := make([]any, 0, 2*k)
			for _, ref := range list[:k] {
				args = append(args, origin, ref)
			}
			rows, err := c.query(ctx, strings.TrimSuffix(strings.Repeat(selectLiveReference+" UNION ALL ", k), " UNION ALL "), args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var ref string
				if err := rows.Scan(&ref); err != nil {
					rows.Close()
					return nil, err
				}
				takenRef[refKey{origin, ref}] = true
			}
			if err := closeRows(rows); err != nil {
				return nil, err
			}
			list = list[k:]
		}
	}
	takenEmail := map[emailKey]bool{}
	for len(emails) > 0 {
		k := min(bulkChunk(len(emails), 1), maxInList)
		// One branch per key, the whole key of the unique index: an IN
		// list on its first column gets no uniqueness estimate, and
		// PostgreSQL cached a generic plan that scanned the table (made
		// while the table was small), 100 ms a query at 100,000 rows.
		args := make([]any, 0, 2*k)
		for _, key := range emails[:k] {
			args = append(args, key.email, key.hasAccount)
		}
		rows, err := c.query(ctx, strings.TrimSuffix(strings.Repeat(selectLiveEmail+" UNION ALL ", k), " UNION ALL "), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key emailKey
			if err := rows.Scan(&key.email, &key.hasAccount); err != nil {
				rows.Close()
				return nil, err
			}
			takenEmail[key] = true
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
		emails = emails[k:]
	}
	out := make([]bool, len(cs))
	for i, cu := range cs {
		out[i] = (cu.Reference != "" && takenRef[refKey{cu.ReferenceOrigin, cu.Reference}]) ||
			takenEmail[emailKey{cu.Email.Address, cu.HasAccount}]
	}
	return out, nil
}

// selectLiveEmail is one branch of the existence query of emails, the
// shape of GetByEmail's query.
const selectLiveEmail = `SELECT email, has_account FROM {{prefix}}customers
	WHERE email = ? AND has_account = ? AND deleted_at IS NULL`

// selectLiveReference is one branch of the existence query of references.
const selectLiveReference = `SELECT reference FROM {{prefix}}customers
	WHERE reference_origin = ? AND reference = ? AND deleted_at IS NULL AND reference <> ''`

const (
	insertCustomersHead = `INSERT INTO {{prefix}}customers (` + customerColumns + `, email_skeleton) VALUES `
	customerValues      = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertTagsHead      = `INSERT INTO {{prefix}}customer_tags (customer_id, tag) VALUES `
	insertAddressesHead = `INSERT INTO {{prefix}}addresses (` + addressColumns + `) VALUES `
	addressValues       = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// CreateCustomers inserts cs, their tags and their address entries with
// multi-row statements. See storage.BulkLoader.
func (r repos) CreateCustomers(ctx context.Context, cs []storage.BulkCustomer) ([]storage.BulkCustomer, error) {
	out, err := storage.NewBulkCustomers(cs)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	var custRows, tagRows, addrRows [][]any
	for _, bc := range out {
		args, err := customerArgs(bc.Customer)
		if err != nil {
			return nil, err
		}
		custRows = append(custRows, append(args, customer.EmailSkeleton(bc.Customer.Email.Address)))
		for _, tag := range bc.Customer.Tags {
			tagRows = append(tagRows, []any{bc.Customer.ID.String(), tag})
		}
		for _, e := range bc.Book.Entries {
			addrRows = append(addrRows, addressArgs(e))
		}
	}
	err = r.c.atomic(ctx, func(cn conn) error {
		// Plain INSERTs: a taken key fails the statement (and, on
		// PostgreSQL, the transaction: see storage.BulkLoader); the
		// constraint's name tells which key, or a diagnosis where the
		// engine lets the transaction go on.
		if err := cn.insertRows(ctx, insertCustomersHead, customerValues, custRows); err != nil {
			return cn.uniqueConflict(err, customerConstraints, func() (storage.Constraint, error) {
				return cn.bulkConflict(ctx, out)
			})
		}
		if len(tagRows) > 0 {
			if err := cn.insertRows(ctx, insertTagsHead, "(?, ?)", tagRows); err != nil {
				return cn.uniqueConflict(err, nil, nil)
			}
		}
		if len(addrRows) > 0 {
			if err := cn.insertRows(ctx, insertAddressesHead, addressValues, addrRows); err != nil {
				return cn.uniqueConflict(err, addressConstraints, nil)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = storage.BulkCustomer{Customer: out[i].Customer.Clone(), Book: out[i].Book.Clone()}
	}
	return out, nil
}

// bulkConflict finds which key of cs another customer holds, after a
// multi-row insert failed on a unique key the engine did not name: the
// email or the reference when a live customer other than the one of cs
// holds one (customerKeyTaken's locking reads), else the primary key (an
// ID taken). It runs only on the way to a failure, so it may read row by
// row.
func (c conn) bulkConflict(ctx context.Context, cs []storage.BulkCustomer) (storage.Constraint, error) {
	for _, bc := range cs {
		con, err := c.customerKeyTaken(ctx, bc.Customer)
		if err != nil || con != "" {
			return con, err
		}
	}
	return storage.ConstraintPrimaryKey, nil
}

// closeRows closes rows and returns the error that ended their iteration.
func closeRows(rows interface {
	Close() error
	Err() error
}) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
