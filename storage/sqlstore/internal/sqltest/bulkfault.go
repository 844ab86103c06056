package sqltest

import (
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/customer"
)

// bulkFaultRows are guests for Bulk.Import's fast path (storage.BulkLoader:
// the existence query, the multi-row inserts of customers, tags and
// address entries, and the events), one of them (ada) registered by the
// setup already, so skipped.
const bulkFaultRows = `{"email":"ada@example.com","first_name":"Ada"}
{"email":"g1@example.com","first_name":"G1","tags":["vip"],"reference_origin":"shop","reference":"R1","addresses":[{"line1":"1 Main Street","city":"Berlin","country":"DE","default_shipping":true}]}
{"email":"g2@example.com","first_name":"G2","tags":["vip","b2b"],"reference_origin":"shop","reference":"R2"}
{"email":"g3@example.com","first_name":"G3","addresses":[{"line1":"3 Main Street","city":"Paris","country":"FR"},{"line1":"4 Side Street","city":"Paris","country":"FR","default_billing":true}]}
`

// bulkFaultOps are the writes of Bulk.Import's fast path; a replay imports
// nothing and skips every row.
var bulkFaultOps = []faultOp{
	{
		name: "Bulk.Import(fast path)",
		setup: func(f *faultFixture) {
			_, _, err := f.svc.Customers.CreateGuest(f.ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
			f.must("guest ada", err)
		},
		run: func(f *faultFixture) (string, error) {
			rep, err := f.svc.Bulk.Import(f.ctx, strings.NewReader(bulkFaultRows), clientele.ImportOptions{Format: bulk.JSONL})
			// Read and Failed are the same on every run; Imported and
			// Skipped depend on whether the batch committed before.
			return fmt.Sprintf("read %d failed %d done %d", rep.Read, rep.Failed, rep.Imported+rep.Skipped), err
		},
		replay: true,
	},
}
