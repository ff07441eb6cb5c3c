package ywstest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// requiredModules are the npm packages the Node scripts import.
var requiredModules = []string{"yjs", "y-websocket", "y-protocols", "lib0", "ws", "@y/websocket-server"}

var (
	availOnce sync.Once
	availDir  string
	availErr  error
)

// NodeAvailable returns the directory holding client.mjs and its
// node_modules, or an error that says what is missing: the node binary on
// PATH, the directory, or the npm packages (then run `npm ci` in it).
func NodeAvailable() (dir string, err error) {
	availOnce.Do(func() { availDir, availErr = findNode() })
	return availDir, availErr
}

// SkipIfUnavailable skips the test with a clear message when NodeAvailable
// fails, and returns the node directory otherwise.
func SkipIfUnavailable(t testing.TB) string {
	t.Helper()
	dir, err := NodeAvailable()
	if err != nil {
		t.Skipf("ywstest: stock y-websocket client unavailable: %v", err)
	}
	return dir
}

func findNode() (string, error) {
	dir, err := nodeDir()
	if err != nil {
		return "", err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("node (Node.js >= 18) not found on PATH: %w", err)
	}
	var missing []string
	for _, m := range requiredModules {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", filepath.FromSlash(m), "package.json")); err != nil {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("npm packages %s missing in %s/node_modules: run `npm ci` in %s",
			strings.Join(missing, ", "), dir, dir)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", node, err)
	}
	var major int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "v%d", &major); err != nil || major < 18 {
		return "", fmt.Errorf("node %s is too old: Node.js >= 18 is needed", strings.TrimSpace(string(out)))
	}
	return dir, nil
}

// nodeDir locates internal/ywstest/node: next to this source file, or (for
// -trimpath builds) below the module root found from the working directory.
func nodeDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		d := filepath.Join(filepath.Dir(file), "node")
		if isFile(filepath.Join(d, "client.mjs")) {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "internal", "ywstest", "node")
		if isFile(filepath.Join(cand, "client.mjs")) {
			return cand, nil
		}
		if isFile(filepath.Join(d, "go.mod")) || filepath.Dir(d) == d {
			break
		}
	}
	return "", errors.New("directory internal/ywstest/node with client.mjs not found")
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// proc is one owned Node subprocess: stdout lines go to onLine, stderr is
// kept (the last stderrMax bytes), and done is closed once the process has
// exited and both pipes are drained.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	wmu   sync.Mutex

	errMu  sync.Mutex
	stderr []byte

	done    chan struct{}
	waitErr error // valid after done
}

const stderrMax = 256 << 10

func startProc(dir, script string, onLine func([]byte)) (*proc, error) {
	cmd := exec.Command("node", script)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node %s: %w", script, err)
	}
	p := &proc{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		br := bufio.NewReaderSize(stdout, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				onLine(line)
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer readers.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := stderr.Read(buf)
			if n > 0 {
				p.appendStderr(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		readers.Wait()
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) appendStderr(b []byte) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	p.stderr = append(p.stderr, b...)
	if len(p.stderr) > stderrMax {
		p.stderr = append([]byte(nil), p.stderr[len(p.stderr)-stderrMax:]...)
	}
}

func (p *proc) stderrText() string {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return string(p.stderr)
}

func (p *proc) writeLine(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	select {
	case <-p.done:
		return p.exitError()
	default:
	}
	_, err := p.stdin.Write(append(b, '\n'))
	return err
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) exitError() error {
	if p.waitErr != nil {
		return fmt.Errorf("node exited: %v", p.waitErr)
	}
	return errors.New("node exited")
}

// stop ends the process: close stdin (the scripts then exit by themselves),
// wait up to grace, then kill. It returns once the process is gone.
func (p *proc) stop(grace time.Duration) {
	p.wmu.Lock()
	_ = p.stdin.Close()
	p.wmu.Unlock()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return
	case <-t.C:
	}
	p.kill()
}

// kill sends SIGKILL and waits (bounded) for the process to be reaped.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		// The pipes are held open by something else; Wait is still pending
		// and will finish when they close. Nothing more can be done here.
	}
}
