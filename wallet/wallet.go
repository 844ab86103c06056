package wallet

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/validation"
)

// Wallet is a customer's saved payment sources, ordered by (CreatedAt, ID);
// see the package documentation for the rule of the default source. The
// zero value is an empty wallet; set CustomerID before adding sources.
type Wallet struct {
	CustomerID uuid.UUID `json:"customer_id"`
	Sources    []Source  `json:"sources,omitempty"`
}

func (w Wallet) index(id uuid.UUID) int {
	return slices.IndexFunc(w.Sources, func(s Source) bool { return s.ID == id })
}

// Add adds the source p describes under id, created at now, and returns
// it. The first source of a wallet becomes its default. Errors:
// ErrWalletFull when the wallet holds MaxSources sources; a
// *ValidationError for a wallet without CustomerID, a nil or duplicate id,
// a token reference of the same provider already in the wallet, or
// invalid params.
func (w *Wallet) Add(id uuid.UUID, p Params, now time.Time) (Source, error) {
	if w.CustomerID == uuid.Nil {
		return Source{}, validation.New(ErrInvalid, "customer_id", "is required")
	}
	if id == uuid.Nil {
		return Source{}, validation.New(ErrInvalid, "id", "is required")
	}
	if w.index(id) >= 0 {
		return Source{}, validation.New(ErrInvalid, "id", "already exists in the wallet")
	}
	if len(w.Sources) >= MaxSources {
		return Source{}, ErrWalletFull
	}
	s, err := New(id, w.CustomerID, p, now)
	if err != nil {
		return Source{}, err
	}
	if w.hasToken(s.Provider, s.TokenRef) {
		return Source{}, validation.New(ErrInvalid, "token_ref", "is already in the wallet")
	}
	if _, ok := w.Default(); !ok {
		s.IsDefault = true
	}
	pos, _ := slices.BinarySearchFunc(w.Sources, s, compareSources)
	sources := make([]Source, 0, len(w.Sources)+1)
	sources = append(sources, w.Sources[:pos]...)
	sources = append(sources, s)
	sources = append(sources, w.Sources[pos:]...)
	w.Sources = sources
	return s.Clone(), nil
}

func (w Wallet) hasToken(provider, tokenRef string) bool {
	return slices.ContainsFunc(w.Sources, func(s Source) bool { return s.Provider == provider && s.TokenRef == tokenRef })
}

// Update applies p to the source with the given ID, sets UpdatedAt to now
// and returns the result. A zero patch changes nothing. Errors:
// ErrNotFound; a *ValidationError when the result is invalid.
func (w *Wallet) Update(id uuid.UUID, p Patch, now time.Time) (Source, error) {
	i := w.index(id)
	if i < 0 {
		return Source{}, ErrNotFound
	}
	if p.IsZero() {
		return w.Sources[i].Clone(), nil
	}
	s, err := p.Apply(w.Sources[i])
	if err != nil {
		return Source{}, err
	}
	s.UpdatedAt = now.UTC()
	sources := slices.Clone(w.Sources)
	sources[i] = s
	w.Sources = sources
	return s.Clone(), nil
}

// SetDefault makes the source with the given ID the default and clears
// the flag on the previous default; sources whose flag changes get
// UpdatedAt = now. Setting the current default again changes nothing.
// Errors: ErrNotFound.
func (w *Wallet) SetDefault(id uuid.UUID, now time.Time) error {
	i := w.index(id)
	if i < 0 {
		return ErrNotFound
	}
	now = now.UTC()
	sources := slices.Clone(w.Sources)
	for j := range sources {
		want := j == i
		if sources[j].IsDefault != want {
			sources[j].IsDefault = want
			sources[j].UpdatedAt = now
		}
	}
	w.Sources = sources
	return nil
}

// Remove removes the source with the given ID. When it was the default,
// the most recently added source (largest CreatedAt, then largest ID
// bytes) that has not expired at now becomes the default, or the most
// recently added one when all have expired; its UpdatedAt is left
// unchanged. Errors: ErrNotFound.
func (w *Wallet) Remove(id uuid.UUID, now time.Time) error {
	i := w.index(id)
	if i < 0 {
		return ErrNotFound
	}
	removed := w.Sources[i]
	sources := make([]Source, 0, len(w.Sources)-1)
	sources = append(sources, w.Sources[:i]...)
	sources = append(sources, w.Sources[i+1:]...)
	if removed.IsDefault && len(sources) > 0 && !slices.ContainsFunc(sources, func(s Source) bool { return s.IsDefault }) {
		sources[successor(sources, now)].IsDefault = true
	}
	w.Sources = sources
	return nil
}

// successor returns the index of the source that becomes the default (see
// Remove); sources is not empty.
func successor(sources []Source, now time.Time) int {
	best, bestLive := -1, -1
	for j, s := range sources {
		if best < 0 || sources[best].before(s) {
			best = j
		}
		if !s.Expired(now) && (bestLive < 0 || sources[bestLive].before(s)) {
			bestLive = j
		}
	}
	if bestLive >= 0 {
		return bestLive
	}
	return best
}

// Default returns the default source; ok is false for an empty wallet.
func (w Wallet) Default() (Source, bool) {
	for _, s := range w.Sources {
		if s.IsDefault {
			return s.Clone(), true
		}
	}
	return Source{}, false
}

// Get returns the source with the given ID.
func (w Wallet) Get(id uuid.UUID) (Source, bool) {
	if i := w.index(id); i >= 0 {
		return w.Sources[i].Clone(), true
	}
	return Source{}, false
}

// Expired returns the sources that have expired at now, in wallet order.
func (w Wallet) Expired(now time.Time) []Source {
	var out []Source
	for _, s := range w.Sources {
		if s.Expired(now) {
			out = append(out, s.Clone())
		}
	}
	return out
}

// Len returns the number of sources.
func (w Wallet) Len() int { return len(w.Sources) }

// Clone returns a copy of w that shares no memory with it.
func (w Wallet) Clone() Wallet {
	out := Wallet{CustomerID: w.CustomerID}
	if w.Sources != nil {
		out.Sources = make([]Source, len(w.Sources))
		for i, s := range w.Sources {
			out.Sources[i] = s.Clone()
		}
	}
	return out
}

// Validate checks the invariants of a wallet, for example one loaded from
// storage: a customer ID, at most MaxSources valid sources of that
// customer with distinct IDs and distinct (provider, token reference),
// ordered by (CreatedAt, ID), and, when non-empty, exactly one default.
func (w Wallet) Validate() error {
	if _, err := w.stored(w.CustomerID, false); err != nil {
		return err
	}
	if len(w.Sources) > 0 && !slices.ContainsFunc(w.Sources, func(s Source) bool { return s.IsDefault }) {
		return validation.New(ErrInvalid, "sources", "must have exactly one default")
	}
	for i := 1; i < len(w.Sources); i++ {
		if !w.Sources[i-1].before(w.Sources[i]) {
			return validation.New(ErrInvalid, "sources", "are not ordered by creation time and ID")
		}
	}
	return nil
}

// Stored returns the wallet as storage keeps it for customerID: a deep
// copy, every source of customerID, times in UTC at microsecond precision,
// ordered by (CreatedAt, ID). It validates every source and the rules of
// Validate but two (it accepts a wallet without a default, and sorts), and
// returns ErrSeveralDefaults for two defaults. Storage adapters call it on
// what an UpdateWallet function left.
func (w Wallet) Stored(customerID uuid.UUID) (Wallet, error) {
	return w.stored(customerID, true)
}

func (w Wallet) stored(customerID uuid.UUID, fix bool) (Wallet, error) {
	if customerID == uuid.Nil {
		return Wallet{}, validation.New(ErrInvalid, "customer_id", "is required")
	}
	if len(w.Sources) > MaxSources {
		return Wallet{}, ErrWalletFull
	}
	out := w.Clone()
	out.CustomerID = customerID
	ids := make(map[uuid.UUID]bool, len(out.Sources))
	type token struct{ provider, ref string }
	tokens := make(map[token]bool, len(out.Sources))
	defaults := 0
	for i := range out.Sources {
		s := &out.Sources[i]
		if fix {
			s.CustomerID = customerID
			s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Microsecond)
			s.UpdatedAt = s.UpdatedAt.UTC().Truncate(time.Microsecond)
		} else if s.CustomerID != customerID {
			return Wallet{}, validation.New(ErrInvalid, "customer_id", "source %s belongs to another customer", s.ID)
		}
		if err := s.Validate(); err != nil {
			return Wallet{}, err
		}
		if ids[s.ID] {
			return Wallet{}, validation.New(ErrInvalid, "id", "source %s appears twice", s.ID)
		}
		ids[s.ID] = true
		k := token{s.Provider, s.TokenRef}
		if tokens[k] {
			return Wallet{}, validation.New(ErrInvalid, "token_ref", "appears twice in the wallet")
		}
		tokens[k] = true
		if s.IsDefault {
			defaults++
		}
	}
	if defaults > 1 {
		return Wallet{}, ErrSeveralDefaults
	}
	if fix {
		slices.SortStableFunc(out.Sources, compareSources)
	}
	return out, nil
}

// OnlyRemoves reports whether w holds nothing but sources of old, each one
// unchanged: storage adapters use it to let a deleted customer's wallet be
// emptied (an erasure) but never written to.
func OnlyRemoves(old, w Wallet) bool {
	for _, s := range w.Sources {
		i := old.index(s.ID)
		if i < 0 || !old.Sources[i].Equal(s) {
			return false
		}
	}
	return true
}

// Absorb moves another customer's sources into w, for a customer merge, by
// this rule: a source whose (provider, token reference) w already holds is
// dropped, and same maps its ID to the ID of w's source for the same
// payment method (so that what charged it can charge that one); the others
// join w under their own IDs and creation times, with CustomerID set to
// w's and UpdatedAt to now. A wallet with a default keeps it and the
// joining sources lose theirs; an empty wallet takes the other's default.
// Errors: ErrWalletFull when the result would hold more than MaxSources
// sources (w is left as it was); a *ValidationError for a wallet without
// CustomerID or a source ID already in w.
func (w *Wallet) Absorb(other []Source, now time.Time) (joined []Source, same map[uuid.UUID]uuid.UUID, err error) {
	if w.CustomerID == uuid.Nil {
		return nil, nil, validation.New(ErrInvalid, "customer_id", "is required")
	}
	now = now.UTC()
	sources := slices.Clone(w.Sources)
	_, hasDefault := w.Default()
	for _, s := range other {
		if w.index(s.ID) >= 0 {
			return nil, nil, validation.New(ErrInvalid, "id", "already exists in the wallet")
		}
		if i := slices.IndexFunc(sources, func(o Source) bool { return o.Provider == s.Provider && o.TokenRef == s.TokenRef }); i >= 0 {
			if same == nil {
				same = map[uuid.UUID]uuid.UUID{}
			}
			same[s.ID] = sources[i].ID
			continue
		}
		s = s.Clone()
		s.CustomerID, s.UpdatedAt = w.CustomerID, now
		if hasDefault {
			s.IsDefault = false
		}
		sources = append(sources, s)
		joined = append(joined, s)
	}
	if len(sources) > MaxSources {
		return nil, nil, ErrWalletFull
	}
	slices.SortStableFunc(sources, compareSources)
	if _, ok := (Wallet{Sources: sources}).Default(); !ok && len(sources) > 0 {
		sources[len(sources)-1].IsDefault = true
	}
	w.Sources = sources
	return joined, same, nil
}
