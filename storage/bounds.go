package storage

import (
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/internal/validation"
)

// Bounds on what a repository method accepts. Every adapter checks them,
// with the Check functions below, before it touches its database, and
// returns a *LimitError (unwrapping to ErrTooLarge) for an argument beyond
// them: unbounded input would let a caller exhaust a database's parser or
// stack (a list filtered by 10,000 tags) or the process's memory. Records
// that a write stores are bounded by the domain's Validate instead.
const (
	// MaxKeyBytes bounds every string a lookup or filter takes: emails,
	// references and their origins, group names, market codes, order IDs,
	// idempotency keys, email skeletons, CustomerFilter.Email and
	// CustomerFilter.Name, and each of CustomerFilter.Tags. It is well above
	// every stored key's own limit (the longest, a reference, is 255 bytes),
	// so a key between that limit and MaxKeyBytes finds nothing
	// (ErrNotFound) rather than failing.
	MaxKeyBytes = 1024
	// MaxFilterTags bounds the number of CustomerFilter.Tags. A customer
	// carries at most customer.MaxTags tags, so a longer filter could match
	// nobody anyway.
	MaxFilterTags = customer.MaxTags
	// MaxIDs bounds every list of IDs a repository method takes
	// (Groups.MemberOf), and the services' batches (clientele.MaxBatch).
	MaxIDs = 1000
)

// CheckKey returns a *LimitError for arg when key is longer than
// MaxKeyBytes, and nil otherwise.
func CheckKey(arg, key string) error {
	if len(key) > MaxKeyBytes {
		return &LimitError{Arg: arg, Size: len(key), Max: MaxKeyBytes, Unit: "bytes"}
	}
	return nil
}

// CheckIDs returns a *LimitError for arg when ids holds more than MaxIDs
// IDs, and nil otherwise.
func CheckIDs(arg string, ids []uuid.UUID) error {
	if len(ids) > MaxIDs {
		return &LimitError{Arg: arg, Size: len(ids), Max: MaxIDs, Unit: "items"}
	}
	return nil
}

// CheckCustomerFilter returns a *LimitError when f exceeds a bound: Email,
// Name or a tag longer than MaxKeyBytes, or more than MaxFilterTags tags.
// Customers.List calls it first.
func CheckCustomerFilter(f CustomerFilter) error {
	if err := CheckKey("CustomerFilter.Email", f.Email); err != nil {
		return err
	}
	if err := CheckKey("CustomerFilter.Name", f.Name); err != nil {
		return err
	}
	if len(f.Tags) > MaxFilterTags {
		return &LimitError{Arg: "CustomerFilter.Tags", Size: len(f.Tags), Max: MaxFilterTags, Unit: "items"}
	}
	for _, tag := range f.Tags {
		if err := CheckKey("CustomerFilter.Tags", tag); err != nil {
			return err
		}
	}
	return nil
}

// MaxQuotedBytes is how many bytes of a caller's value Quote shows.
const MaxQuotedBytes = validation.MaxQuotedBytes

// Quote returns s as error text may show it: quoted like strconv.Quote (no
// raw newline or control character, so a value cannot forge a log line)
// and cut to its first MaxQuotedBytes bytes, followed by "..." and its
// length when cut. Adapters and services use it for every caller value an
// error message echoes, so that error text stays short and safe for any
// input, the same on every adapter; the domain packages use the same
// function.
func Quote(s string) string { return validation.Quote(s) }
