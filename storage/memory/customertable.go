package memory

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The customers table keeps every customer as a crec: the fixed-size
// fields inline and every string in one allocation, in chunks of records
// that the indexes address by position. A typical customer (email, names,
// a phone) costs a record, one string and an entry in each index: about a
// fifth of a customer.Customer in a map with its strings, its map entries
// and a btree per email skeleton (issue 15; see docs/BENCHMARKS.md).

// The string fields of a crec, in the order they are stored in crec.strs.
const (
	fAddress = iota
	fDisplay // empty when recSameDisplay is set
	fFirstName
	fLastName
	fPhone
	fCompany
	fVATID
	fNote
	fReference
	fOrigin
	nFields
)

// Flags of a crec.
const (
	recHasAccount  = 1 << iota
	recHasPassword // customer.Customer.HasPassword
	recDeleted     // DeletedAt is set: crec.deleted holds it
	recSameDisplay // Email.Display equals Email.Address
	recTags        // Tags is not nil (it may be empty)
	recMetadata    // Metadata is not nil (it may be empty)
)

// crec is a customer as the table stores it. strs holds the string fields
// back to back (field i ends at ends[i]), then the tags, then the metadata
// keys and values, each of these prefixed by its length as a uvarint.
// Times are Unix microseconds (stored times are UTC microseconds).
type crec struct {
	id                        uuid.UUID
	strs                      string
	ends                      [nFields]uint16
	created, updated, deleted int64
	version, orders           int64
	ntags, nmeta              uint8
	status, state, typ        uint8
	flags                     uint8
}

// field returns string field f.
func (r *crec) field(f int) string {
	start := uint16(0)
	if f > 0 {
		start = r.ends[f-1]
	}
	return r.strs[start:r.ends[f]]
}

func (r *crec) live() bool       { return r.flags&recDeleted == 0 }
func (r *crec) hasAccount() bool { return r.flags&recHasAccount != 0 }

// createdAt returns CreatedAt.
func (r *crec) createdAt() time.Time { return fromMicro(r.created) }

// key returns the record's key in customerOrder, i its place in the table.
func (r *crec) key(i uint32) custKey { return custKey{at: r.created, id: r.id, idx: i} }

// customer returns the customer r holds, sharing nothing mutable with it.
func (r *crec) customer() customer.Customer {
	var c customer.Customer
	r.decode(&c)
	return c
}

// decode writes the customer r holds to *c, sharing nothing mutable with
// it. A list builds each customer in its place on the page this way rather
// than copying a returned one there (see pageAfter).
func (r *crec) decode(c *customer.Customer) {
	// Field by field: a composite literal would be built on the stack and
	// then copied to *c, a second pass over the whole struct.
	c.ID = r.id
	c.Email.Address = r.field(fAddress)
	if r.flags&recSameDisplay != 0 {
		c.Email.Display = c.Email.Address
	} else {
		c.Email.Display = r.field(fDisplay)
	}
	c.HasAccount = r.flags&recHasAccount != 0
	c.HasPassword = r.flags&recHasPassword != 0
	c.Status = customer.Status(r.status)
	c.State = customer.State(r.state)
	c.Type = customer.Type(r.typ)
	c.FirstName = r.field(fFirstName)
	c.LastName = r.field(fLastName)
	c.Phone = r.field(fPhone)
	c.Company = r.field(fCompany)
	c.VATID = r.field(fVATID)
	c.Note = r.field(fNote)
	c.Tags = nil
	c.Metadata = nil
	c.Reference = r.field(fReference)
	c.ReferenceOrigin = r.field(fOrigin)
	c.OrderCount = int(r.orders)
	c.CreatedAt = fromMicro(r.created)
	c.UpdatedAt = fromMicro(r.updated)
	c.DeletedAt = nil
	if r.flags&recDeleted != 0 {
		t := fromMicro(r.deleted)
		c.DeletedAt = &t
	}
	c.Version = r.version
	if r.flags&(recTags|recMetadata) == 0 {
		return
	}
	rest := r.strs[r.ends[nFields-1]:]
	if r.flags&recTags != 0 {
		c.Tags = make([]string, r.ntags)
		for i := range c.Tags {
			c.Tags[i], rest = nextString(rest)
		}
	}
	if r.flags&recMetadata != 0 {
		c.Metadata = make(map[string]string, r.nmeta)
		for range r.nmeta {
			var k, v string
			k, rest = nextString(rest)
			v, rest = nextString(rest)
			c.Metadata[k] = v
		}
	}
}

// hasTag reports whether the customer has tag, without decoding the tags.
func (r *crec) hasTag(tag string) bool {
	rest := r.strs[r.ends[nFields-1]:]
	for range r.ntags {
		var t string
		t, rest = nextString(rest)
		if t == tag {
			return true
		}
	}
	return false
}

// nextString splits a uvarint-length-prefixed string off s. s is one the
// table encoded, so it is well formed.
func nextString(s string) (string, string) {
	var n uint64
	var shift uint
	i := 0
	for ; i < len(s); i++ {
		b := s[i]
		n |= uint64(b&0x7f) << shift
		shift += 7
		if b < 0x80 {
			i++
			break
		}
	}
	end := min(i+int(n), len(s))
	return s[i:end], s[end:]
}

// errRecord is returned for a customer the table cannot represent, which
// validation never lets through.
func errRecord(what string) error {
	return fmt.Errorf("memory: customer %s out of range: %w", what, storage.ErrTooLarge)
}

// encodeCustomer returns the record of c, a validated customer whose times
// are UTC microseconds.
func encodeCustomer(c *customer.Customer) (crec, error) {
	r := crec{
		id:      c.ID,
		version: c.Version,
		orders:  int64(c.OrderCount),
	}
	fields := [nFields]string{
		fAddress:   c.Email.Address,
		fDisplay:   c.Email.Display,
		fFirstName: c.FirstName,
		fLastName:  c.LastName,
		fPhone:     c.Phone,
		fCompany:   c.Company,
		fVATID:     c.VATID,
		fNote:      c.Note,
		fReference: c.Reference,
		fOrigin:    c.ReferenceOrigin,
	}
	if c.Email.Display == c.Email.Address {
		r.flags |= recSameDisplay
		fields[fDisplay] = ""
	}
	if c.HasAccount {
		r.flags |= recHasAccount
	}
	if c.HasPassword {
		r.flags |= recHasPassword
	}
	var ok bool
	if r.status, ok = small(int(c.Status)); !ok {
		return crec{}, errRecord("status")
	}
	if r.state, ok = small(int(c.State)); !ok {
		return crec{}, errRecord("state")
	}
	if r.typ, ok = small(int(c.Type)); !ok {
		return crec{}, errRecord("type")
	}
	if r.created, ok = toMicro(c.CreatedAt); !ok {
		return crec{}, errRecord("created_at")
	}
	if r.updated, ok = toMicro(c.UpdatedAt); !ok {
		return crec{}, errRecord("updated_at")
	}
	if c.DeletedAt != nil {
		r.flags |= recDeleted
		if r.deleted, ok = toMicro(*c.DeletedAt); !ok {
			return crec{}, errRecord("deleted_at")
		}
	}
	size := 0
	for i, f := range fields {
		size += len(f)
		if size > math.MaxUint16 {
			return crec{}, errRecord("strings")
		}
		r.ends[i] = uint16(size)
	}
	if c.Tags != nil {
		r.flags |= recTags
		if r.ntags, ok = small(len(c.Tags)); !ok {
			return crec{}, errRecord("tags")
		}
		for _, t := range c.Tags {
			size += binary.MaxVarintLen64 + len(t)
		}
	}
	var keys []string
	if c.Metadata != nil {
		r.flags |= recMetadata
		if r.nmeta, ok = small(len(c.Metadata)); !ok {
			return crec{}, errRecord("metadata")
		}
		keys = slices.Sorted(maps.Keys(c.Metadata))
		for _, k := range keys {
			size += 2*binary.MaxVarintLen64 + len(k) + len(c.Metadata[k])
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, f := range fields {
		b.WriteString(f)
	}
	put := func(s string) {
		var n [binary.MaxVarintLen64]byte
		b.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		b.WriteString(s)
	}
	for _, t := range c.Tags {
		put(t)
	}
	for _, k := range keys {
		put(k)
		put(c.Metadata[k])
	}
	r.strs = b.String()
	return r, nil
}

// small converts n to a uint8 when it fits.
func small(n int) (uint8, bool) { return uint8(n), n >= 0 && n <= math.MaxUint8 }

// toMicro returns t in Unix microseconds, and whether that is exact.
func toMicro(t time.Time) (int64, bool) {
	m := t.UnixMicro()
	return m, fromMicro(m).Equal(t)
}

// fromMicro is the UTC time m Unix microseconds stand for.
func fromMicro(m int64) time.Time { return time.UnixMicro(m).UTC() }

const (
	chunkBits = 12
	chunkSize = 1 << chunkBits // records per chunk
)

// customerTable holds the customers: records in chunks, in the order they
// were created, and the position of each by ID. Records are never removed
// (deleted customers keep theirs) except by the undo of their creation,
// which comes last, so positions stay put.
type customerTable struct {
	chunks [][]crec // every chunk but the last holds chunkSize records
	n      uint32
	byID   map[uuid.UUID]uint32
}

func newCustomerTable() customerTable {
	return customerTable{byID: map[uuid.UUID]uint32{}}
}

// len returns the number of customers.
func (t *customerTable) len() int { return int(t.n) }

// at returns the record at position i < len(). The pointer is valid until
// the next add.
func (t *customerTable) at(i uint32) *crec {
	return &t.chunks[i>>chunkBits][i&(chunkSize-1)]
}

// find returns the position of the customer with ID id.
func (t *customerTable) find(id uuid.UUID) (uint32, bool) {
	i, ok := t.byID[id]
	return i, ok
}

// rec returns the record of the customer with ID id. The pointer is valid
// until the next add.
func (t *customerTable) rec(id uuid.UUID) (*crec, bool) {
	i, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return t.at(i), true
}

// get returns the customer with ID id.
func (t *customerTable) get(id uuid.UUID) (customer.Customer, bool) {
	r, ok := t.rec(id)
	if !ok {
		return customer.Customer{}, false
	}
	return r.customer(), true
}

// createdAt returns the CreatedAt of the customer with ID id.
func (t *customerTable) createdAt(id uuid.UUID) (time.Time, bool) {
	r, ok := t.rec(id)
	if !ok {
		return time.Time{}, false
	}
	return r.createdAt(), true
}

// has reports whether a customer with ID id exists, deleted or not.
func (t *customerTable) has(id uuid.UUID) bool {
	_, ok := t.byID[id]
	return ok
}

// add appends r (whose ID must be new) and returns its position.
func (t *customerTable) add(tx *txn, r crec) uint32 {
	i := t.n
	k := int(i >> chunkBits)
	if k == len(t.chunks) {
		t.chunks = append(t.chunks, nil)
	}
	chunk := t.chunks[k]
	if len(chunk) == cap(chunk) { // grow by hand: a chunk never outgrows chunkSize
		grown := make([]crec, len(chunk), min(max(2*cap(chunk), 8), chunkSize))
		copy(grown, chunk)
		chunk = grown
	}
	t.chunks[k] = append(chunk, r)
	t.n++
	t.byID[r.id] = i
	tx.onUndo(func() {
		delete(t.byID, r.id)
		t.n--
		chunk := t.chunks[k]
		chunk[len(chunk)-1] = crec{} // let its strings go
		t.chunks[k] = chunk[:len(chunk)-1]
	})
	return i
}

// set replaces the record at position i with r (same ID).
func (t *customerTable) set(tx *txn, i uint32, r crec) {
	p := t.at(i)
	old := *p
	*p = r
	tx.onUndo(func() { *t.at(i) = old })
}

// custKey orders customers by (CreatedAt, ID) in customerOrder and the
// look-alike index; idx is the record's position, not part of the order.
type custKey struct {
	at  int64 // CreatedAt in Unix microseconds
	id  uuid.UUID
	idx uint32
}

func lessCustKey(a, b custKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	if x, y := binary.BigEndian.Uint64(a.id[:8]), binary.BigEndian.Uint64(b.id[:8]); x != y {
		return x < y
	}
	return binary.BigEndian.Uint64(a.id[8:]) < binary.BigEndian.Uint64(b.id[8:])
}

func newCustIndex() *btree.BTreeG[custKey] { return btree.NewG(btreeDegree, lessCustKey) }

// custFrom converts a cursor to a custKey that sorts as (c.Time, ID) would
// among stored customers: times finer than a microsecond, or out of the
// int64 range, move to the next microsecond (with the nil ID, which no
// customer has) or to the ends.
func custFrom(c storage.Cursor) (custKey, error) {
	k, err := timeFrom(c)
	if err != nil {
		return custKey{}, err
	}
	switch m, exact := toMicro(k.at); {
	case exact:
		return custKey{at: m, id: k.id}, nil
	case k.at.Before(fromMicro(math.MinInt64)):
		return custKey{at: math.MinInt64}, nil
	case !k.at.Before(fromMicro(math.MaxInt64)):
		return custKey{at: math.MaxInt64, id: uuid.Max}, nil
	default:
		return custKey{at: m + 1}, nil
	}
}

func custCursor(k custKey) storage.Cursor {
	return storage.Cursor{Time: fromMicro(k.at), Key: k.id.String()}
}

// skelKey is a customer.EmailSkeleton, decoded.
type skelKey [32]byte

// parseSkeleton decodes a customer.EmailSkeleton; ok is false for a string
// no email address has as its skeleton.
func parseSkeleton(s string) (k skelKey, ok bool) {
	if len(s) != hex.EncodedLen(len(k)) || strings.ToLower(s) != s {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err == nil
}

// b2i is 1 for true, 0 for false: the index of the per-HasAccount maps.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
