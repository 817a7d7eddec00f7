#!/usr/bin/env python3
"""ptydrive.py COMMAND...: runs COMMAND on a new pty, as its controlling
terminal (an interactive shell gets job control), and drives it with the
lines of its standard input, one step each:

  send TEXT         types TEXT (Python escapes: \\r, \\x03...)
  expect REGEX      waits for REGEX in the output after the last match
  reject REGEX      fails if REGEX is in the output after the last match
  resize ROWS COLS  the window's new size (SIGWINCH to the foreground)
  waitfile PATH     waits until PATH exists
  run COMMAND       runs sh -c COMMAND beside the terminal; fails unless 0
  sleep SECONDS

Exit 0 when every step passed; 1 with the step and the output otherwise.
"""
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

TIMEOUT = 10


def resize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


def main():
    steps = [line.rstrip('\n') for line in sys.stdin if line.strip()]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    resize(master, 30, 100)
    out = b''
    pos = 0

    def pump(deadline):
        nonlocal out
        r, _, _ = select.select([master], [], [], max(0, deadline - time.time()))
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b''
            out += data
            return bool(data)
        return True

    def fail(step):
        sys.stderr.write('FAIL at step: %s\n--- output ---\n%s\n---\n'
                         % (step, out.decode('latin-1')))
        os.kill(pid, 9)
        sys.exit(1)

    for step in steps:
        verb, _, arg = step.partition(' ')
        if verb == 'send':
            os.write(master, arg.encode().decode('unicode_escape').encode('latin-1'))
        elif verb in ('expect', 'reject'):
            rx = re.compile(arg.encode())
            deadline = time.time() + (TIMEOUT if verb == 'expect' else 0.5)
            while True:
                m = rx.search(out, pos)
                if m and verb == 'expect':
                    pos = m.end()
                    break
                if m:
                    fail(step)
                if time.time() > deadline:
                    if verb == 'expect':
                        fail(step)
                    break
                if not pump(deadline):
                    if verb == 'expect':
                        fail(step + ' (the terminal closed)')
                    break
        elif verb == 'resize':
            rows, cols = arg.split()
            resize(master, int(rows), int(cols))
        elif verb == 'waitfile':
            deadline = time.time() + TIMEOUT
            while not os.path.exists(arg):
                if time.time() > deadline:
                    fail(step)
                pump(time.time() + 0.05)
        elif verb == 'run':
            if subprocess.run(['sh', '-c', arg]).returncode != 0:
                fail(step)
        elif verb == 'sleep':
            deadline = time.time() + float(arg)
            while time.time() < deadline:
                pump(deadline)
        else:
            fail('unknown step ' + step)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode('latin-1'))


if __name__ == '__main__':
    main()
