// Package examples holds the deployment examples of chatgpt-optout (a
// GitHub Actions workflow, a Kubernetes CronJob) and the repository's
// container image recipe is checked from here too: its tests decode the
// Kubernetes manifests strictly into the Kubernetes API types and read the
// root Dockerfile, so that an example that would not apply, or an image
// that would not build from this checkout, fails CI. The workflow is
// checked by actionlint in scripts/test.
package examples
