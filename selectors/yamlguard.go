package selectors

import (
	"errors"

	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
)

// guardYAML refuses, before anything decodes the file, YAML that would
// cost far more to read than its size (see yamlguard): any alias (a
// selectors file needs none, and yaml.YAMLToJSON copies what each one
// names, so a 1 KB "billion laughs" file of nested aliases took 24 GB) and
// nesting deeper than yamlguard.DefaultDepth. A file over MaxFileSize is
// left to Parse's own size check, which reports it as ErrTooLarge.
func guardYAML(data []byte, source string) error {
	if len(data) > MaxFileSize {
		return nil
	}
	err := yamlguard.Check(data, source, yamlguard.Limits{Bytes: MaxFileSize})
	if err == nil {
		return nil
	}
	var ge *yamlguard.Error
	if !errors.As(err, &ge) {
		return &Error{Source: source, Msg: err.Error(), err: err}
	}
	return &Error{Source: source, Line: ge.Line, Msg: ge.Msg, err: ge}
}
