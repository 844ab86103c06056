module github.com/clientele-go/clientele

go 1.24.0

require (
	github.com/bojanz/currency v1.4.2
	github.com/google/btree v1.1.3
	github.com/google/uuid v1.6.0
	github.com/nyaruka/phonenumbers v1.8.1
	github.com/shopspring/decimal v1.6.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/net v0.50.0
	golang.org/x/text v0.34.0
)

require (
	github.com/cockroachdb/apd/v3 v3.2.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
