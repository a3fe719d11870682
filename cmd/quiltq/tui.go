package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	tea "charm.land/bubbletea/v2"

	"github.com/quiltq/quiltq/config"
	"github.com/quiltq/quiltq/engine/session"
	"github.com/quiltq/quiltq/ui/workbench"
)

// runTUI opens the interactive workbench. Without a Quilt login it opens
// on the login screen, then goes on into the workbench.
func runTUI(ctx context.Context, g *globalFlags, st streams, getenv func(string) string) int {
	// While the workbench owns the screen, what quiltq would write on
	// stderr (a warning) waits, and is written once the terminal is back.
	held := &heldWriter{w: st.Err}
	st.Err = held
	a := newApp(g, st, getenv)
	defer a.close()
	s, err := a.loadSettings()
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	look, err := a.look(s)
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitUsage
	}
	base, cancel := context.WithCancel(ctx)
	defer cancel()
	fmt.Fprintln(st.Err, "quiltq: connecting…")
	var model tea.Model
	opts, err := a.options()
	var wb *workbench.Workbench
	if err == nil {
		wb = workbench.New(opts, look)
		model, err = wb.Open(base)
	}
	if err != nil {
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		if hint := session.NextStep(err); hint != "" {
			fmt.Fprintf(st.Err, "  next:      %s\n", hint)
		}
		return exitCode(err)
	}
	held.hold()
	p := tea.NewProgram(model, tea.WithContext(base), tea.WithInput(st.In), tea.WithOutput(st.Out))
	// Bubble Tea restores the terminal on a panic and quits on SIGTERM; a
	// hang-up (the terminal closed) gets the same orderly quit.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		if _, ok := <-hup; ok {
			p.Quit()
		}
	}()
	_, err = p.Run()
	held.release()
	var stopped []string
	if eng := wb.Engine(); eng != nil {
		// Never leave a query running behind the closed workbench.
		stopped = eng.StopLive(ctx)
	}
	for _, id := range stopped {
		fmt.Fprintf(st.Err, "quiltq: stopped query %s on Athena\n", id)
	}
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		fmt.Fprintln(st.Err, "quiltq: the workbench crashed (a bug: the trace above says where; please report it); the terminal was restored")
		return exitFailed
	case err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled):
		fmt.Fprintf(st.Err, "quiltq: %v\n", err)
		return exitFailed
	case len(stopped) > 0:
		return exitInterrupted
	}
	return exitOK
}

// look is the workbench's keymap, theme and mouse, from the defaults, the
// config, NO_COLOR and --mouse.
func (a *app) look(s *config.Settings) (workbench.Look, error) {
	return workbench.LookOf(s, a.getenv("NO_COLOR") != "", a.g.mouse)
}

// heldWriter passes writes through, except while held, when it keeps them
// until release.
type heldWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held bool
	buf  bytes.Buffer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return h.buf.Write(p)
	}
	return h.w.Write(p)
}

func (h *heldWriter) hold() {
	h.mu.Lock()
	h.held = true
	h.mu.Unlock()
}

func (h *heldWriter) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = false
	_, _ = h.w.Write(h.buf.Bytes())
	h.buf.Reset()
}
