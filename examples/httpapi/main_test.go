package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
)

// TestServe serves on a real listener and shuts down when the context is
// done, as on SIGINT: serve returns nil and the port stops answering.
func TestServe(t *testing.T) {
	store, _, closeStore, err := open(context.Background(), "sqlite", filepath.Join(t.TempDir(), "serve.db"), "")
	require.NoError(t, err)
	defer closeStore()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, clientele.New(store)) }()

	url := "http://" + ln.Addr().String() + "/openapi.json"
	res, err := http.Get(url)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	cancel()
	require.NoError(t, <-done)
	http.DefaultClient.CloseIdleConnections()
	_, err = http.Get(url)
	require.Error(t, err)
}

// TestOpen checks the stores the flags select; SQLite keeps its data from
// one run to the next.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "api.db")
	store, where, closeStore, err := open(ctx, "sqlite", file, "ignored_")
	require.NoError(t, err)
	require.Contains(t, where, file)
	c, err := clientele.New(store).Customers.Register(ctx, customer.Params{Email: "kept@example.com"})
	require.NoError(t, err)
	closeStore()
	store, _, closeStore, err = open(ctx, "sqlite", file, "")
	require.NoError(t, err)
	defer closeStore()
	_, err = clientele.New(store).Customers.Get(ctx, c.ID)
	require.NoError(t, err)

	_, where, _, err = open(ctx, "memory", "", "")
	require.NoError(t, err)
	require.Equal(t, "in memory", where)
	_, _, _, err = open(ctx, "oracle", "", "")
	require.Error(t, err)
	_, _, _, err = open(ctx, "postgres", "", "")
	require.Error(t, err)
}
