package automation

import (
	"context"
	"errors"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// worldName names the isolated world the probe runs in.
const worldName = "chatgpt-optout"

// world is the probe's isolated world in the tab's current document: it
// shares the page's DOM but none of its JavaScript, so neither side can
// see or break the other's. A new document has no world until the next
// probe makes one.
type world struct {
	mu       sync.Mutex
	uniqueID string           // of the current world, "" when there is none
	created  map[int64]string // execution context id → unique id, of our worlds
	alive    map[string]bool  // unique ids of contexts not destroyed
}

func newWorld() *world {
	return &world{created: map[int64]string{}, alive: map[string]bool{}}
}

// listen follows the tab's execution contexts.
func (w *world) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventExecutionContextCreated:
		if e.Context != nil && e.Context.Name == worldName {
			w.created[int64(e.Context.ID)] = e.Context.UniqueID
			w.alive[e.Context.UniqueID] = true
		}
	case *runtime.EventExecutionContextDestroyed:
		delete(w.alive, e.ExecutionContextUniqueID)
		if e.ExecutionContextUniqueID == w.uniqueID {
			w.uniqueID = ""
		}
	case *runtime.EventExecutionContextsCleared:
		clear(w.alive)
		clear(w.created)
		w.uniqueID = ""
	}
}

// errNoWorld is transient: the world is made again by the next read.
var errNoWorld = errors.New("the isolated world is not ready yet")

// id returns the unique id of the world in the current document, making
// the world when there is none.
func (w *world) id(ctx context.Context) (string, error) {
	w.mu.Lock()
	id := w.uniqueID
	if id != "" && !w.alive[id] {
		id, w.uniqueID = "", ""
	}
	w.mu.Unlock()
	if id != "" {
		return id, nil
	}
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return "", err
	}
	if tree.FrameTree == nil || tree.FrameTree.Frame == nil {
		return "", errNoWorld
	}
	res, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.Frame.ID, WorldName: worldName})
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// The context's creation event comes before the command's answer; by
	// its unique id, an evaluation can never land in another process's
	// context that happens to reuse the number.
	id = w.created[int64(res.ExecutionContextID)]
	if id == "" || !w.alive[id] {
		return "", errNoWorld
	}
	w.uniqueID = id
	return id, nil
}

// evalIn evaluates expr in the probe's world.
func evalIn[T any](ctx context.Context, w *world, expr string) (T, error) {
	var zero T
	id, err := w.id(ctx)
	if err != nil {
		return zero, err
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise, func(p *runtime.EvaluateParams) { p.UniqueContextID = id }))
	if err != nil && transient(err) { // the world is gone: the next evaluation makes one
		w.mu.Lock()
		w.uniqueID = ""
		w.mu.Unlock()
	}
	return v, err
}
