//go:build !unix

package automation

func processAlive(pid int) bool { return true }
