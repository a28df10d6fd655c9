package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// axNode is one node of the browser's accessibility tree, as lookalikes
// compares it.
type axNode struct{ Role, Name string }

func axString(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return strings.Trim(string(v.Value), `"`)
	}
	return s
}

// axQuery asks the browser's accessibility tree for the nodes with a
// candidate's role and accessible name.
func axQuery(ctx context.Context, c selectors.Candidate) ([]*accessibility.Node, error) {
	// Start from the document object, not DOM.getDocument: that call
	// resets the node ids that chromedp's own queries rely on.
	doc, err := chromedp.Run(ctx, chromedp.Evaluate[*runtime.RemoteObject]("document"))
	if err != nil {
		return nil, err
	}
	defer func() {
		_, _ = chromedp.Call(ctx, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: doc.ObjectID})
	}()
	res, err := chromedp.Call(ctx, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		ObjectID: doc.ObjectID, Role: c.Role, AccessibleName: c.Name,
	})
	if err != nil {
		return nil, err
	}
	var nodes []*accessibility.Node
	for _, n := range res.Nodes {
		if n.Ignored || n.BackendDOMNodeID == 0 {
			continue
		}
		if c.NameContains != "" && !strings.Contains(norm(axString(n.Name)), norm(c.NameContains)) {
			continue
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// axConfirm checks a match found by a role candidate against the browser's
// accessibility tree (the probe's name computation is an approximation):
// exactly one node must have that role and name, and be the element the
// probe found. With anyOf (a candidate narrowed by its row, or one that
// takes every match), the match must be one of those nodes.
func axConfirm(ctx context.Context, c selectors.Candidate, m *match, anyOf bool) (bool, error) {
	nodes, err := axQuery(ctx, c)
	if err != nil || len(nodes) == 0 || len(nodes) > 1 && !anyOf {
		return false, err
	}
	const most = 40 // a page shows a few dozen switches at most
	for _, n := range nodes[:min(len(nodes), most)] {
		if ok, err := axIs(ctx, n, m); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// axIs says whether the accessibility node n is the element of match m.
func axIs(ctx context.Context, n *accessibility.Node, m *match) (bool, error) {
	obj, err := chromedp.Call(ctx, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: n.BackendDOMNodeID})
	if err != nil || obj.Object == nil {
		return false, err
	}
	// The node is the match when the hit test at the match's centre lands
	// on it; one that no pointer reaches (pointer-events:none) is never
	// hit, and is the match when its centre is the match's.
	fn := fmt.Sprintf(`function() {
  const x = %f, y = %f, offscreen = %v;
  if (offscreen || getComputedStyle(this).pointerEvents === "none") {
    const r = this.getBoundingClientRect();
    return Math.abs(r.left + r.width / 2 - x) < 1 && Math.abs(r.top + r.height / 2 - y) < 1;
  }
  const h = document.elementFromPoint(x, y);
  return !!h && (h === this || this.contains(h));
}`, m.X, m.Y, m.Offscreen)
	res, err := chromedp.Call(ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: fn, ObjectID: obj.Object.ObjectID, ReturnByValue: new(true),
	})
	if err != nil || res.Result == nil {
		return false, err
	}
	return string(res.Result.Value) == "true", nil
}

// confirmRoles confirms every role-candidate match of r (of the elements
// whose names start with prefix); see confirm.
func confirmRoles(ctx context.Context, spec probeSpec, r *probeResult, prefix string) {
	for name, el := range spec.Elements {
		if strings.HasPrefix(name, prefix) {
			confirm(ctx, el, r.Elements[name])
		}
	}
}

// confirm drops a match found by a role candidate unless the
// accessibility tree agrees with it, and reports whether the match stands.
// It asks the tree once per match.
func confirm(ctx context.Context, el elementSpec, m *match) bool {
	if !m.found() || m.confirmed {
		return m.found()
	}
	m.confirmed = true
	c := el.Candidates[m.Candidate]
	if c.Role == "" {
		return true
	}
	// An error here is the page changing under the query (a navigation):
	// the match stays unconfirmed and the next probe asks again.
	if ok, err := axConfirm(ctx, c, m, c.Row != "" || el.All); err != nil || !ok {
		m.Candidate = -1
	}
	return m.found()
}

// axSnapshot is the page's accessibility tree as indented text, the
// evidence a maintainer reads to write the next selectors file.
func axSnapshot(ctx context.Context) (string, []axNode, error) {
	res, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		return "", nil, err
	}
	byID := map[accessibility.NodeID]*accessibility.Node{}
	for _, n := range res.Nodes {
		byID[n.NodeID] = n
	}
	var b strings.Builder
	var flat []axNode
	var walk func(n *accessibility.Node, depth int)
	walk = func(n *accessibility.Node, depth int) {
		next := depth
		if !n.Ignored {
			role, name := axString(n.Role), axString(n.Name)
			if role != "none" && role != "generic" && role != "InlineTextBox" || name != "" {
				fmt.Fprintf(&b, "%s%s %q\n", strings.Repeat("  ", depth), role, name)
				flat = append(flat, axNode{role, name})
				next = depth + 1
			}
		}
		for _, id := range n.ChildIDs {
			if c := byID[id]; c != nil {
				walk(c, next)
			}
		}
	}
	if len(res.Nodes) > 0 {
		walk(res.Nodes[0], 0)
	}
	return b.String(), flat, nil
}

// lookalikes lists the nodes that resemble a lost element: the same role as
// one of its role candidates, or a name sharing words with its names.
// They are suggestions for a person, never used automatically.
func lookalikes(el *selectors.Element, label string, nodes []axNode) []string {
	roles := map[string]bool{}
	var words []string
	addWords := func(s string) {
		for _, w := range strings.Fields(strings.ToLower(s)) {
			if len(w) > 3 {
				words = append(words, w)
			}
		}
	}
	addWords(label)
	for _, c := range el.Candidates {
		if c.Role != "" {
			roles[c.Role] = true
		}
		addWords(c.Name + " " + c.NameContains + " " + c.Text + " " + strings.ReplaceAll(c.TestID, "-", " "))
	}
	type scored struct {
		s     string
		score int
	}
	var out []scored
	for _, n := range nodes {
		score := 0
		if roles[n.Role] {
			score += 2
		}
		lname := strings.ToLower(n.Name)
		for _, w := range words {
			if strings.Contains(lname, w) {
				score++
			}
		}
		if score >= 2 {
			out = append(out, scored{fmt.Sprintf("role=%q name=%q", n.Role, n.Name), score})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return b.score - a.score })
	var list []string
	for _, o := range out {
		if len(list) < 10 && !slices.Contains(list, o.s) {
			list = append(list, o.s)
		}
	}
	return list
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }
