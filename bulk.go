package clientele

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// Bulk imports and exports customers in bulk (see package bulk for the
// formats and docs/IMPORT.md for the layouts).
type Bulk struct{ *env }

// DefaultBatchSize is the number of rows an import writes per transaction
// when ImportOptions.BatchSize is zero.
const DefaultBatchSize = 500

// ErrTooManyErrors is returned by Import when more rows failed than
// ImportOptions.MaxErrors allows; the batches written before stay written.
var ErrTooManyErrors = errcode.New(errcode.Invalid, "clientele: import stopped: too many bad rows")

// ImportOptions configures Bulk.Import.
type ImportOptions struct {
	// Format and Mapping are the file's format and layout.
	Format  bulk.Format
	Mapping bulk.Mapping
	// DryRun reads and checks every row, and counts what would be imported
	// and skipped, without writing anything.
	DryRun bool
	// BatchSize is the number of rows written per transaction (zero:
	// DefaultBatchSize).
	BatchSize int
	// MaxErrors stops the import with ErrTooManyErrors once more rows than
	// this failed; 0 means no limit.
	MaxErrors int
	// Workers is the number of batches written at once, each in its own
	// transaction on its own connection (zero: 1). A server engine
	// (PostgreSQL, MySQL, TiDB) imports several times faster with 4; SQLite
	// writes one transaction at a time and gains nothing. With more than
	// one, the customers of a file are created out of file order, and a row
	// whose email or reference another batch creates meanwhile is skipped.
	Workers int
	// Progress, when set, is called after each batch is handed out (with
	// the counts of the batches written so far) and once at the end, from
	// the goroutine that called Import.
	Progress func(bulk.Progress)
}

// ImportReport is the outcome of an import: the rows read, the customers
// created, the rows skipped because their customer exists already, and the
// bad rows, each with its line and field.
type ImportReport struct {
	Read     int `json:"read"`
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	// Errors are the bad rows in line order.
	Errors []bulk.RowError `json:"errors"`
}

// Import reads customers from r and creates those that do not exist yet,
// with their addresses, groups, opening balances and password hashes.
//
// Every row is checked first (bulk.Reader); a bad row is reported in
// ImportReport.Errors with its line and field and the others go on. A row
// whose customer exists already, by (reference_origin, reference) when the
// row has a reference, else by email among customers of the same kind
// (guest or registered), is skipped: running the same import twice
// imports nothing the second time.
//
// Rows are written BatchSize at a time, each batch in one transaction and
// each row in a nested one (a savepoint), so a row the store refuses
// (an email taken by a registered customer under another reference, a
// look-alike address) is reported without undoing the others. Each row
// goes through the same code as the services, so it emits the same events
// through the outbox: customer.registered or customer.created, then
// address, group and balance events, in the row's transaction.
//
// On a store whose transactions have the storage.BulkLoader capability,
// the rows of a batch that make only a customer and its address book are
// written together instead (one existence query, multi-row inserts, one
// append of the same events), and the batch's other rows row by row after
// them; see docs/ARCHITECTURE.md, "Bulk import and export".
//
// A customer with an account is created active; one without, as a guest.
// created_at is kept. Groups are found by name and created when missing.
// Each balance is credited as an opening posting (balance.KindAdjustment,
// idempotency key "bulk-opening"). A password hash is stored with
// Accounts.ImportPasswordHash's rules, so the customer signs in with their
// old password.
//
// Errors: a bulk.ErrInvalid error for a bad option or CSV header,
// ErrTooManyErrors, the reader's errors, and storage failures; the report
// then counts what was done before.
func (b *Bulk) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportReport, error) {
	rd, err := bulk.NewReader(r, opts.Format, opts.Mapping)
	if err != nil {
		return ImportReport{}, err
	}
	rd.Now = b.clock()
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	workers := max(opts.Workers, 1)
	var (
		mu      sync.Mutex // guards rep and failure
		rep     ImportReport
		failure error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, workers)
	)
	// snapshot returns the counts so far, and whether to stop.
	snapshot := func() (bulk.Progress, error) {
		mu.Lock()
		defer mu.Unlock()
		if failure == nil && opts.MaxErrors > 0 && rep.Failed > opts.MaxErrors {
			failure = fmt.Errorf("%w (%d)", ErrTooManyErrors, rep.Failed)
		}
		return bulk.Progress{Read: rep.Read, Imported: rep.Imported, Skipped: rep.Skipped, Failed: rep.Failed}, failure
	}
	write := func(rows []pendingRow) {
		defer func() { <-sem; wg.Done() }()
		res, err := b.writeBatch(ctx, rows, opts.DryRun)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if failure == nil {
				failure = err
			}
			return
		}
		rep.Imported += res.imported
		rep.Skipped += res.skipped
		rep.Failed += len(res.errors)
		rep.Errors = append(rep.Errors, res.errors...)
	}
	flush := func(batch []pendingRow) error {
		sem <- struct{}{}
		wg.Add(1)
		if workers == 1 {
			write(batch)
		} else {
			go write(batch)
		}
		p, err := snapshot()
		if err == nil && opts.Progress != nil {
			opts.Progress(p)
		}
		return err
	}
	finish := func() (ImportReport, error) {
		wg.Wait()
		_, err := snapshot()
		slices.SortStableFunc(rep.Errors, func(a, b bulk.RowError) int { return a.Line - b.Line })
		return rep, err
	}
	batch := make([]pendingRow, 0, size)
	for {
		if err := ctx.Err(); err != nil {
			wg.Wait()
			return rep, err
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *bulk.RowError
		if errors.As(err, &re) {
			mu.Lock()
			rep.Read++
			rep.Failed++
			rep.Errors = append(rep.Errors, *re)
			mu.Unlock()
			if _, err := snapshot(); err != nil {
				return finish()
			}
			continue
		}
		if err != nil {
			wg.Wait()
			return rep, err
		}
		mu.Lock()
		rep.Read++
		mu.Unlock()
		batch = append(batch, pendingRow{line: rd.Line(), rec: rec})
		if len(batch) == size {
			if err := flush(batch); err != nil {
				return finish()
			}
			batch = make([]pendingRow, 0, size)
		}
	}
	if len(batch) > 0 {
		if err := flush(batch); err != nil {
			return finish()
		}
	}
	rep, err = finish()
	if err == nil && opts.Progress != nil {
		opts.Progress(bulk.Progress{Read: rep.Read, Imported: rep.Imported, Skipped: rep.Skipped, Failed: rep.Failed})
	}
	return rep, err
}

// pendingRow is a checked row waiting for its batch.
type pendingRow struct {
	line int
	rec  bulk.Record
}

type batchResult struct {
	imported, skipped int
	errors            []bulk.RowError
}

// writeBatch writes rows in one transaction, each in a nested one; with
// dryRun it only looks the customers up.
func (b *Bulk) writeBatch(ctx context.Context, rows []pendingRow, dryRun bool) (batchResult, error) {
	var res batchResult
	err := b.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		res = batchResult{} // fresh on every (re)run
		todo := rows
		if l, ok := tx.(storage.BulkLoader); ok && !dryRun {
			var err error
			if todo, err = b.loadBatch(ctx, tx, l, rows, &res); err != nil {
				return err
			}
		}
		for _, row := range todo {
			var skipped bool
			var err error
			if dryRun {
				skipped, err = b.exists(ctx, tx, row.rec)
			} else {
				err = b.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
					var err error
					skipped, err = b.importRow(ctx, tx, row.rec)
					return err
				})
			}
			switch {
			case err == nil && skipped:
				res.skipped++
			case err == nil:
				res.imported++
			case rowLevel(err):
				res.errors = append(res.errors, bulk.RowError{Line: row.line, Field: rowField(err), Err: err})
			default:
				return err
			}
		}
		if dryRun {
			return errDryRun // nothing to commit, but say so to the store
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("clientele: dry run")

// rowLevel reports whether err is about the row (reported, the import goes
// on) rather than the store (the import stops).
func rowLevel(err error) bool {
	switch errcode.Of(err) {
	case errcode.Invalid, errcode.Conflict, errcode.NotFound, errcode.FailedPrecondition:
		return !errors.Is(err, storage.ErrConflict) || storage.IsConflict(err, storage.ConstraintCustomerEmail) ||
			storage.IsConflict(err, storage.ConstraintCustomerReference)
	}
	return false
}

// rowField names the Native field a store's refusal is about.
func rowField(err error) string {
	switch {
	case errors.Is(err, customer.ErrEmailTaken), errors.Is(err, customer.ErrEmailConfusable):
		return "email"
	case errors.Is(err, customer.ErrReferenceTaken):
		return "reference"
	case errors.Is(err, group.ErrNameTaken):
		return "groups"
	}
	var ve *errcode.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}

// exists reports whether rec's customer exists: by reference when rec has
// one, else by email among customers of rec's kind.
func (b *Bulk) exists(ctx context.Context, r storage.Repositories, rec bulk.Record) (bool, error) {
	if rec.Reference != "" {
		_, err := r.Customers().GetByReference(ctx, rec.ReferenceOrigin, rec.Reference)
		if err == nil || !errors.Is(err, storage.ErrNotFound) {
			return err == nil, err
		}
	}
	email, err := customer.CanonicalEmail(rec.Email)
	if err != nil {
		return false, err
	}
	_, err = r.Customers().GetByEmail(ctx, email, rec.HasAccount)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// importRow creates rec's customer inside tx unless it exists (skipped).
func (b *Bulk) importRow(ctx context.Context, tx storage.Tx, rec bulk.Record) (skipped bool, err error) {
	if found, err := b.exists(ctx, tx, rec); found || err != nil {
		return found, err
	}
	c, t, err := b.newCustomer(rec)
	if err != nil {
		return false, err
	}
	if err := (&Customers{b.env}).refuseConfusable(ctx, tx, c); err != nil {
		return false, err
	}
	if c, err = tx.Customers().Create(ctx, c); err != nil {
		if storage.IsConflict(err, storage.ConstraintCustomerEmail) || storage.IsConflict(err, storage.ConstraintCustomerReference) {
			return true, nil // created meanwhile, by another batch or writer
		}
		return false, mapCustomerErr(err)
	}
	if err := b.emitCustomer(ctx, tx, t, nil, c); err != nil {
		return false, err
	}
	if err := b.importAddresses(ctx, tx, c.ID, rec.Addresses); err != nil {
		return false, err
	}
	if err := b.importGroups(ctx, tx, c.ID, rec.Groups); err != nil {
		return false, err
	}
	for _, m := range rec.Balances {
		if _, err := (&Balances{b.env}).Credit(ctx, PostingRequest{CustomerID: c.ID, Amount: m,
			Kind: balance.KindAdjustment, IdempotencyKey: "bulk-opening", Note: "opening balance"}); err != nil {
			return false, err
		}
	}
	if rec.PasswordHash != "" {
		if _, err := (&Accounts{b.env}).ImportPasswordHash(ctx, c.ID, rec.PasswordHash); err != nil {
			return false, err
		}
	}
	return false, nil
}

// newCustomer returns rec's new customer (a guest, or registered when rec
// has an account) and the event its creation emits.
func (b *Bulk) newCustomer(rec bulk.Record) (customer.Customer, event.Type, error) {
	created := rec.CreatedAt
	if created.IsZero() {
		created = b.clock()
	}
	created = created.UTC().Truncate(time.Microsecond)
	if rec.HasAccount {
		c, err := customer.NewRegistered(b.newID(), rec.Params(), created)
		return c, event.CustomerRegistered, err
	}
	c, err := customer.NewGuest(b.newID(), rec.Params(), created)
	return c, event.CustomerCreated, err
}

// fillBook adds the entries as to book, with their defaults, and returns
// the new entries' IDs.
func (b *Bulk) fillBook(book *address.Book, as []bulk.Address, now time.Time) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	for _, a := range as {
		e, err := book.Add(b.newID(), a.Address, now)
		if err != nil {
			return nil, err
		}
		ids = append(ids, e.ID)
		for _, k := range []struct {
			on   bool
			kind address.Kind
		}{{a.DefaultShipping, address.Shipping}, {a.DefaultBilling, address.Billing}} {
			if k.on {
				if err := book.SetDefault(e.ID, k.kind, now); err != nil {
					return nil, err
				}
			}
		}
	}
	return ids, nil
}

// addressEvents returns the events Addresses.Add and SetDefault emit for
// the entries ids of the customer id's stored book.
func addressEvents(id uuid.UUID, book address.Book, ids []uuid.UUID) ([]event.Event, error) {
	evs := make([]event.Event, 0, len(ids)+2)
	for _, eid := range ids {
		e, _ := book.Get(eid)
		ev, err := newEvent(event.AddressAdded, event.AggregateAddressBook, id.String(), id, 0, event.AddressPayload{Entry: e})
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	for _, k := range address.Kinds() {
		if e, ok := book.Default(k); ok {
			ev, err := newEvent(event.AddressDefaultChanged, event.AggregateAddressBook, id.String(), id, 0,
				event.AddressPayload{Entry: e, Kind: k.String()})
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
	}
	return evs, nil
}

// importAddresses writes the customer's address book in one write, and
// the events Addresses.Add and SetDefault emit.
func (b *Bulk) importAddresses(ctx context.Context, tx storage.Tx, id uuid.UUID, as []bulk.Address) error {
	if len(as) == 0 {
		return nil
	}
	now := b.clock()
	var ids []uuid.UUID
	book, err := tx.Addresses().UpdateBook(ctx, id, func(book *address.Book) error {
		var err error
		ids, err = b.fillBook(book, as, now)
		return err
	})
	if err != nil {
		return mapCustomerErr(err)
	}
	evs, err := addressEvents(id, book, ids)
	if err != nil {
		return err
	}
	return b.emit(ctx, tx, evs...)
}

// importGroups adds the customer to each named group, creating the groups
// that do not exist.
func (b *Bulk) importGroups(ctx context.Context, tx storage.Tx, id uuid.UUID, names []string) error {
	svc := &Groups{b.env}
	for _, name := range names {
		g, err := tx.Groups().GetByName(ctx, name)
		if errors.Is(err, storage.ErrNotFound) {
			g, err = svc.Create(ctx, GroupParams{Name: name})
		}
		if err != nil {
			return err
		}
		res, err := svc.AddMembers(ctx, g.ID, []uuid.UUID{id})
		if err != nil {
			return err
		}
		if res[0].Err != nil {
			return res[0].Err
		}
	}
	return nil
}

// ExportOptions configures Bulk.Export.
type ExportOptions struct {
	// Format and Mapping are the file's format and layout.
	Format  bulk.Format
	Mapping bulk.Mapping
	// Filter selects the customers (the zero Filter: every live one).
	Filter customer.Filter
	// Progress, when set, is called every DefaultBatchSize customers and at
	// the end with Read and Imported both counting the rows written.
	Progress func(bulk.Progress)
}

// ExportReport is the outcome of an export.
type ExportReport struct {
	// Written is the number of customers written.
	Written int `json:"written"`
}

// Export writes the live customers that match opts.Filter to w, in the
// order of Customers.All, with their address book, groups and balances
// (each account's balance, where it is positive). Password hashes are
// never exported. What Export writes in the Native layout, Import reads
// back into the same customers. Errors: a bulk.ErrInvalid error for a bad
// option, *customer.ValidationError for a bad filter, w's and storage
// errors; the report counts what was written before.
func (b *Bulk) Export(ctx context.Context, w io.Writer, opts ExportOptions) (ExportReport, error) {
	var rep ExportReport
	wr, err := bulk.NewWriter(w, opts.Format, opts.Mapping)
	if err != nil {
		return rep, err
	}
	progress := func() {
		if opts.Progress != nil {
			opts.Progress(bulk.Progress{Read: rep.Written, Imported: rep.Written})
		}
	}
	for c, err := range (&Customers{b.env}).All(ctx, opts.Filter) {
		if err != nil {
			return rep, err
		}
		rec, err := b.record(ctx, c)
		if err != nil {
			return rep, err
		}
		if err := wr.Write(rec); err != nil {
			return rep, err
		}
		rep.Written++
		if rep.Written%DefaultBatchSize == 0 {
			progress()
		}
	}
	if err := wr.Flush(); err != nil {
		return rep, err
	}
	progress()
	return rep, nil
}

// record returns c, its address book, groups and balances as a Record.
func (b *Bulk) record(ctx context.Context, c customer.Customer) (bulk.Record, error) {
	rec := bulk.Record{Email: c.Email.String(), Type: c.Type, HasAccount: c.HasAccount, FirstName: c.FirstName,
		LastName: c.LastName, Phone: c.Phone, Company: c.Company, VATID: c.VATID, Note: c.Note, Tags: c.Tags,
		Metadata: c.Metadata, ReferenceOrigin: c.ReferenceOrigin, Reference: c.Reference, CreatedAt: c.CreatedAt}
	book, err := b.store.Addresses().Book(ctx, c.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return rec, err
	}
	for _, e := range book.Entries {
		rec.Addresses = append(rec.Addresses, bulk.Address{Address: e.Address,
			DefaultShipping: e.IsDefault(address.Shipping), DefaultBilling: e.IsDefault(address.Billing)})
	}
	groups := &Groups{b.env}
	for p := (page.Request{Limit: page.MaxLimit}); ; {
		pg, err := groups.GroupsOf(ctx, c.ID, p)
		if err != nil {
			return rec, err
		}
		for _, g := range pg.Items {
			rec.Groups = append(rec.Groups, g.Name)
		}
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	accts, err := b.store.Balances().Accounts(ctx, c.ID)
	if err != nil {
		return rec, err
	}
	for _, a := range accts {
		if a.Balance.IsPositive() {
			rec.Balances = append(rec.Balances, a.Balance)
		}
	}
	return rec, nil
}
