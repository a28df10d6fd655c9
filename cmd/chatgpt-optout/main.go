// Command chatgpt-optout signs in to ChatGPT with a real Chrome and switches
// off the setting that lets OpenAI train on the account's chats.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A closed stdout or stderr must not kill the tool before it has
	// stopped Chrome: with SIGPIPE caught, the write fails instead, and
	// execute ends the run as interrupted (see guard).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := execute(ctx, osSystem(), os.Args[1:])
	stop()
	os.Exit(code)
}
