package group_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
)

func ExampleNameKey() {
	fmt.Println(group.NameKey("VIP") == group.NameKey(" vip "))
	fmt.Println(group.NameKey("Vip") == group.NameKey("vIP"))
	fmt.Printf("%q\n", group.NameKey("  Gold \t Members "))
	fmt.Printf("%q\n", group.NameKey("Straße"))
	fmt.Printf("%q\n", group.NameKey("ǅ"))
	// Output:
	// true
	// true
	// "gold members"
	// "strasse"
	// "ǆ"
}

func ExampleNew() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	g, err := group.New(uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01"), group.Params{
		Name:        " Wholesale ",
		Description: "Resellers with a trade account",
		Metadata:    map[string]string{"price_list": "trade"},
	}, now)
	fmt.Printf("%q %q %v\n", g.Name, g.Key(), err)

	_, err = group.New(uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e02"), group.Params{Name: "  "}, now)
	var ve *group.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, errors.Is(err, group.ErrInvalid))
	// Output:
	// "Wholesale" "wholesale" <nil>
	// true name true
}

func ExampleGroup_Rename() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	g, _ := group.New(uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01"), group.Params{Name: "VIP"}, now)
	if err := g.Rename("VIP Gold", now.Add(time.Hour)); err != nil {
		fmt.Println(err)
	}
	fmt.Println(g.Name, g.UpdatedAt.Format(time.RFC3339))
	// Output: VIP Gold 2024-05-01T13:00:00Z
}

func ExampleValidity_Contains() {
	seasonEnd := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	v := group.Validity{Until: seasonEnd} // since always, until the season's end
	fmt.Println(v.Contains(seasonEnd.Add(-time.Microsecond)), v.Contains(seasonEnd))

	err := group.Validity{From: seasonEnd, Until: seasonEnd}.Validate()
	var ve *group.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	// Output:
	// true false
	// true valid_until
}
