package clientele_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/bulk"
)

// Importing Shopify's customer export: every good row is in, each bad row
// is reported with its line and column, and a second run imports nothing.
// Then the customers go out again as JSON Lines in Clientele's own layout.
func ExampleBulk_Import() {
	ctx := context.Background()
	svc := newExampleService()
	csv := strings.Join([]string{
		"Customer ID,First Name,Last Name,Email,Default Address Address1,Default Address City,Default Address Country Code,Tags",
		"1001,Ada,Lovelace,ada@example.com,1 Main St,London,GB,\"vip, b2b\"",
		"1002,Bob,,bob@example,,,,",
		"1003,Cy,,cy@example.com,2 Side St,Paris,FR,",
	}, "\n")
	for range 2 {
		rep, err := svc.Bulk.Import(ctx, strings.NewReader(csv), clientele.ImportOptions{Format: bulk.CSV, Mapping: bulk.Shopify})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("read %d, imported %d, skipped %d, failed %d\n", rep.Read, rep.Imported, rep.Skipped, rep.Failed)
		for _, e := range rep.Errors {
			fmt.Printf("  line %d, column %q\n", e.Line, e.Field)
		}
	}
	if _, err := svc.Bulk.Export(ctx, os.Stdout, clientele.ExportOptions{Format: bulk.JSONL}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// read 3, imported 2, skipped 0, failed 1
	//   line 3, column "Email"
	// read 3, imported 0, skipped 2, failed 1
	//   line 3, column "Email"
	// {"email":"ada@example.com","type":"private","first_name":"Ada","last_name":"Lovelace","tags":["b2b","vip"],"reference_origin":"shopify","reference":"1001","addresses":[{"first_name":"Ada","last_name":"Lovelace","line1":"1 Main St","city":"London","country":"GB","default_shipping":true,"default_billing":true}],"created_at":"2025-01-01T09:00:00Z"}
	// {"email":"cy@example.com","type":"private","first_name":"Cy","reference_origin":"shopify","reference":"1003","addresses":[{"first_name":"Cy","line1":"2 Side St","city":"Paris","country":"FR","default_shipping":true,"default_billing":true}],"created_at":"2025-01-01T09:00:00Z"}
}
