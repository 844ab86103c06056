package address

import (
	"bytes"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// MaxEntries is the largest number of addresses a Book holds.
const MaxEntries = 100

// ErrNotFound is returned for an address ID that is not in the book.
var ErrNotFound = errcode.New(errcode.NotFound, "address: not found")

// ErrBookFull is returned by Book.Add when the book already holds MaxEntries
// addresses.
var ErrBookFull = errcode.New(errcode.FailedPrecondition, "address: address book is full")

// ErrSeveralDefaults is returned by Book.Stored for a book with more than
// one default shipping or more than one default billing entry.
var ErrSeveralDefaults = errcode.New(errcode.Conflict, "address: more than one default address of a kind")

// Entry is one address in a customer's address book. In JSON (see
// MarshalJSON) the address's fields sit inline beside the entry's own, so
// that every name is the one ValidationError.Field reports ("line1").
type Entry struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Address
	// DefaultShipping and DefaultBilling mark the book's default addresses;
	// exactly one entry of a non-empty book has each.
	DefaultShipping bool      `json:"default_shipping"`
	DefaultBilling  bool      `json:"default_billing"`
	CreatedAt       time.Time `json:"created_at"` // UTC
	UpdatedAt       time.Time `json:"updated_at"` // UTC
}

// IsDefault reports whether e is the default address of kind k.
func (e Entry) IsDefault(k Kind) bool {
	switch k {
	case Shipping:
		return e.DefaultShipping
	case Billing:
		return e.DefaultBilling
	}
	return false
}

// Validate checks the entry: a non-nil ID and customer ID and a valid
// address. It shadows the promoted Address.Validate so that the identity is
// checked as well.
func (e Entry) Validate() error {
	if e.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if e.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	return e.Address.Validate()
}

func (e *Entry) setDefault(k Kind, v bool) {
	switch k {
	case Shipping:
		e.DefaultShipping = v
	case Billing:
		e.DefaultBilling = v
	}
}

// before reports whether e sorts before o: by CreatedAt, then by ID bytes.
func (e Entry) before(o Entry) bool {
	if !e.CreatedAt.Equal(o.CreatedAt) {
		return e.CreatedAt.Before(o.CreatedAt)
	}
	return bytes.Compare(e.ID[:], o.ID[:]) < 0
}

func compareEntries(a, b Entry) int {
	switch {
	case a.before(b):
		return -1
	case b.before(a):
		return 1
	}
	return 0
}

// Book is a customer's address book. Entries are ordered by (CreatedAt, ID);
// see the package documentation for the rules on default addresses. The zero
// value is an empty book; set CustomerID before adding entries.
//
// In JSON it is {"customer_id": ..., "entries": [...]}, without "entries"
// when the book is empty.
type Book struct {
	CustomerID uuid.UUID `json:"customer_id"`
	Entries    []Entry   `json:"entries,omitempty"`
}

// index returns the position of the entry with the given ID, or -1.
func (b Book) index(id uuid.UUID) int {
	return slices.IndexFunc(b.Entries, func(e Entry) bool { return e.ID == id })
}

// Add adds address a under id, created at now, and returns the new entry. The
// address is normalized and validated (see Parse). The first entry of a book
// becomes its default shipping and default billing address. Add returns
// ErrBookFull when the book holds MaxEntries entries, and a *ValidationError
// for a book without CustomerID, a nil or duplicate id or an invalid address.
func (b *Book) Add(id uuid.UUID, a Address, now time.Time) (Entry, error) {
	if b.CustomerID == uuid.Nil {
		return Entry{}, validation.New(ErrInvalid, "customer_id", "is required")
	}
	if id == uuid.Nil {
		return Entry{}, validation.New(ErrInvalid, "id", "is required")
	}
	if b.index(id) >= 0 {
		return Entry{}, validation.New(ErrInvalid, "id", "already exists in the address book")
	}
	if len(b.Entries) >= MaxEntries {
		return Entry{}, ErrBookFull
	}
	a, err := Parse(a)
	if err != nil {
		return Entry{}, err
	}
	now = now.UTC()
	e := Entry{ID: id, CustomerID: b.CustomerID, Address: a, CreatedAt: now, UpdatedAt: now}
	// A consistent non-empty book already has both defaults; checking each
	// kind rather than emptiness also repairs a book loaded without them.
	if _, ok := b.Default(Shipping); !ok {
		e.DefaultShipping = true
	}
	if _, ok := b.Default(Billing); !ok {
		e.DefaultBilling = true
	}
	pos, _ := slices.BinarySearchFunc(b.Entries, e, compareEntries)
	entries := make([]Entry, 0, len(b.Entries)+1)
	entries = append(entries, b.Entries[:pos]...)
	entries = append(entries, e)
	entries = append(entries, b.Entries[pos:]...)
	b.Entries = entries
	return e, nil
}

// Update applies p to the address of the entry with the given ID, normalizes
// and revalidates the result, sets UpdatedAt to now and returns the updated
// entry. Fields p leaves nil keep their value. A zero patch changes nothing
// (UpdatedAt included). Update returns ErrNotFound for an unknown id and a
// *ValidationError when the patched address is invalid.
func (b *Book) Update(id uuid.UUID, p Patch, now time.Time) (Entry, error) {
	i := b.index(id)
	if i < 0 {
		return Entry{}, ErrNotFound
	}
	e := b.Entries[i]
	if p.IsZero() {
		return e, nil
	}
	a, err := p.Apply(e.Address)
	if err != nil {
		return Entry{}, err
	}
	e.Address = a
	e.UpdatedAt = now.UTC()
	entries := slices.Clone(b.Entries)
	entries[i] = e
	b.Entries = entries
	return e, nil
}

// Remove removes the entry with the given ID. When it was a default address,
// the oldest remaining entry (smallest CreatedAt, then smallest ID bytes)
// becomes that default; its UpdatedAt is left unchanged. Removing the last
// entry leaves the book without defaults. Remove returns ErrNotFound for an
// unknown id.
func (b *Book) Remove(id uuid.UUID) error {
	i := b.index(id)
	if i < 0 {
		return ErrNotFound
	}
	removed := b.Entries[i]
	entries := make([]Entry, 0, len(b.Entries)-1)
	entries = append(entries, b.Entries[:i]...)
	entries = append(entries, b.Entries[i+1:]...)
	if len(entries) > 0 {
		oldest := 0
		for j := range entries {
			if entries[j].before(entries[oldest]) {
				oldest = j
			}
		}
		for _, k := range []Kind{Shipping, Billing} {
			if removed.IsDefault(k) && !hasDefault(entries, k) {
				entries[oldest].setDefault(k, true)
			}
		}
	}
	b.Entries = entries
	return nil
}

func hasDefault(entries []Entry, k Kind) bool {
	return slices.ContainsFunc(entries, func(e Entry) bool { return e.IsDefault(k) })
}

// SetDefault makes the entry with the given ID the default address of kind k
// and clears that default on every other entry. Entries whose flag changes get
// UpdatedAt = now; setting the current default again changes nothing.
// SetDefault returns ErrNotFound for an unknown id and a *ValidationError for
// an invalid kind.
func (b *Book) SetDefault(id uuid.UUID, k Kind, now time.Time) error {
	if !k.Valid() {
		return invalidKind(k)
	}
	i := b.index(id)
	if i < 0 {
		return ErrNotFound
	}
	now = now.UTC()
	entries := slices.Clone(b.Entries)
	for j := range entries {
		want := j == i
		if entries[j].IsDefault(k) != want {
			entries[j].setDefault(k, want)
			entries[j].UpdatedAt = now
		}
	}
	b.Entries = entries
	return nil
}

// Default returns the default address of kind k; ok is false when the book
// has none (it is empty) or k is invalid.
func (b Book) Default(k Kind) (e Entry, ok bool) {
	for _, e := range b.Entries {
		if e.IsDefault(k) {
			return e, true
		}
	}
	return Entry{}, false
}

// Get returns the entry with the given ID.
func (b Book) Get(id uuid.UUID) (Entry, bool) {
	if i := b.index(id); i >= 0 {
		return b.Entries[i], true
	}
	return Entry{}, false
}

// Len returns the number of entries.
func (b Book) Len() int { return len(b.Entries) }

// Clone returns a copy of b that shares no memory with it.
func (b Book) Clone() Book {
	return Book{CustomerID: b.CustomerID, Entries: slices.Clone(b.Entries)}
}

// Validate checks the invariants of a book, for example one loaded from
// storage: a customer ID, at most MaxEntries valid entries of that customer
// with distinct IDs, ordered by (CreatedAt, ID), and, when non-empty, exactly
// one default shipping and one default billing entry.
func (b Book) Validate() error {
	if b.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if len(b.Entries) > MaxEntries {
		return ErrBookFull
	}
	seen := make(map[uuid.UUID]bool, len(b.Entries))
	var shipping, billing int
	for i, e := range b.Entries {
		if err := e.Validate(); err != nil {
			return err
		}
		if e.CustomerID != b.CustomerID {
			return validation.New(ErrInvalid, "customer_id", "entry %s belongs to another customer", e.ID)
		}
		if seen[e.ID] {
			return validation.New(ErrInvalid, "id", "entry %s appears twice", e.ID)
		}
		seen[e.ID] = true
		if i > 0 && !b.Entries[i-1].before(e) {
			return validation.New(ErrInvalid, "entries", "are not ordered by creation time and ID")
		}
		if e.DefaultShipping {
			shipping++
		}
		if e.DefaultBilling {
			billing++
		}
	}
	if len(b.Entries) > 0 && (shipping != 1 || billing != 1) {
		return validation.New(ErrInvalid, "entries", "must have exactly one default shipping and one default billing address")
	}
	return nil
}

// Stored returns the book as storage keeps it for customerID: a copy that
// shares no memory with b, every entry of customerID, times in UTC with
// microsecond precision (what every store keeps), and the entries ordered
// by (CreatedAt, ID). It validates each entry and that no ID appears twice
// (a *ValidationError), and
// returns ErrSeveralDefaults when two entries are default for one kind.
// Storage adapters call it on what an UpdateBook function left; unlike
// Validate it accepts a book without defaults.
func (b Book) Stored(customerID uuid.UUID) (Book, error) {
	out := Book{CustomerID: customerID, Entries: slices.Clone(b.Entries)}
	var shipping, billing int
	seen := make(map[uuid.UUID]bool, len(out.Entries))
	for i := range out.Entries {
		e := &out.Entries[i]
		if seen[e.ID] {
			return Book{}, validation.New(ErrInvalid, "id", "entry %s appears twice", e.ID)
		}
		seen[e.ID] = true
		e.CustomerID = customerID
		e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
		e.UpdatedAt = e.UpdatedAt.UTC().Truncate(time.Microsecond)
		if err := e.Validate(); err != nil {
			return Book{}, err
		}
		if e.DefaultShipping {
			shipping++
		}
		if e.DefaultBilling {
			billing++
		}
	}
	if shipping > 1 || billing > 1 {
		return Book{}, ErrSeveralDefaults
	}
	slices.SortStableFunc(out.Entries, compareEntries)
	return out, nil
}

// OnlyRemoves reports whether b holds nothing but entries of old, each one
// unchanged: b is old with some entries (or none) removed. Storage adapters
// use it to let a deleted customer's book be emptied (an erasure) but never
// written to.
func OnlyRemoves(old, b Book) bool {
	for _, e := range b.Entries {
		i := old.index(e.ID)
		if i < 0 || !sameEntry(old.Entries[i], e) {
			return false
		}
	}
	return true
}

// sameEntry reports whether two entries hold the same values.
func sameEntry(a, b Entry) bool {
	return a.ID == b.ID && a.CustomerID == b.CustomerID && a.Address == b.Address &&
		a.DefaultShipping == b.DefaultShipping && a.DefaultBilling == b.DefaultBilling &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

// Absorb moves the entries of another customer's book into b, for a
// customer merge, by this rule: an entry whose address equals (after
// Normalize) one already in b is dropped, as a duplicate; the others join b
// under their own IDs and creation times, with CustomerID set to b's and
// UpdatedAt to now. Defaults: a non-empty b keeps its default addresses
// and the absorbed entries lose theirs; an empty b takes the absorbed
// book's defaults (the rule of Add then repairs a book loaded without
// them). It returns the entries that joined and the IDs that were dropped.
// Errors: ErrBookFull when the result would hold more than MaxEntries
// entries (b is left as it was); a *ValidationError for a book without
// CustomerID or an entry ID already in b.
func (b *Book) Absorb(other []Entry, now time.Time) (joined []Entry, dropped []uuid.UUID, err error) {
	if b.CustomerID == uuid.Nil {
		return nil, nil, validation.New(ErrInvalid, "customer_id", "is required")
	}
	now = now.UTC()
	entries := slices.Clone(b.Entries)
	keepDefaults := len(entries) == 0
	seen := make(map[Address]bool, len(entries)+len(other))
	for _, e := range entries {
		seen[e.Address.Normalize()] = true
	}
	for _, e := range other {
		if b.index(e.ID) >= 0 {
			return nil, nil, validation.New(ErrInvalid, "id", "already exists in the address book")
		}
		if a := e.Address.Normalize(); seen[a] {
			dropped = append(dropped, e.ID)
			continue
		} else {
			seen[a] = true
		}
		e.CustomerID = b.CustomerID
		e.UpdatedAt = now
		if !keepDefaults {
			e.DefaultShipping, e.DefaultBilling = false, false
		}
		entries = append(entries, e)
		joined = append(joined, e)
	}
	if len(entries) > MaxEntries {
		return nil, nil, ErrBookFull
	}
	slices.SortFunc(entries, compareEntries)
	for _, k := range []Kind{Shipping, Billing} {
		if len(entries) > 0 && !hasDefault(entries, k) {
			entries[0].setDefault(k, true)
		}
	}
	b.Entries = entries
	return joined, dropped, nil
}
