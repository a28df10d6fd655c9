package fleet

import (
	"errors"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
)

// guardYAML adds to e, and reports, YAML that would cost far more to read
// than its size (see yamlguard): aliases that add more than
// yamlguard.DefaultAliasNodes values once expanded (the resolver follows
// merge keys once per use, so a 1 KB file of merge keys naming merge keys
// took minutes), aliases the resolver, which looks anchors up by name over
// the whole file, would loop on (an alias before its anchor or inside the
// value it names, an anchor defined twice), and nesting deeper than
// yamlguard.DefaultDepth. Aliases that share a few keys (<<: *defaults)
// stay allowed.
func guardYAML(data []byte, e *AccountsError) bool {
	err := yamlguard.Check(data, e.Source, yamlguard.Limits{AliasNodes: yamlguard.DefaultAliasNodes, Bytes: fileio.MaxBytes})
	if err == nil {
		return false
	}
	var ge *yamlguard.Error
	if !errors.As(err, &ge) {
		e.add(0, "", "%s", err.Error())
		return true
	}
	e.add(ge.Line, "", "%s", ge.Msg)
	return true
}
