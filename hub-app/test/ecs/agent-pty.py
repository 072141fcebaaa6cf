"""Runs a command on a new pty the way the SSM agent does for ECS Exec, for the fake agent.

amazon-ssm-agent 3.3.1142.0, agent/session/shell/shell_unix.go (StartCommandExecutor, container
mode): the command string is split like a shell would (shlex) and started with creack/pty's
Start, which sets Setsid and Setctty (vendor/github.com/creack/pty/run.go): the program is the
session leader and the pty its controlling terminal. writePump (shell.go) sleeps a second
(initialWaitSecond), then reads the pty until the read fails (EIO once no process holds the slave
end); InputStreamMessageHandler writes input to the pty. This script does the same: stdin to the
pty (never blocking the reads), pty output to stdout after `delay_ms`, and exits with the
program's status once the pty is drained.

Usage: agent-pty.py COMMAND [DELAY_MS]
"""
import os
import pty
import selectors
import shlex
import sys
import time

argv = shlex.split(sys.argv[1])
delay_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 0
pid, master = pty.fork()  # child: setsid(), the slave as controlling terminal and fds 0-2
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        os.write(2, f"Unable to start command: {error}\n".encode())
        os._exit(127)

os.set_blocking(master, False)
reading_after = time.monotonic() + delay_ms / 1000
pending = bytearray()  # input not yet taken by the pty
selector = selectors.DefaultSelector()
selector.register(master, selectors.EVENT_READ)
stdin_open = True
try:
    selector.register(0, selectors.EVENT_READ)  # a pipe from the fake agent
except (PermissionError, ValueError):
    stdin_open = False  # stdin is a file or /dev/null (run by hand)

while True:
    now = time.monotonic()
    events = selectors.EVENT_WRITE if pending else 0
    if now >= reading_after:
        events |= selectors.EVENT_READ
    if events:
        selector.modify(master, events)
    else:
        selector.unregister(master)
    timeout = None if now >= reading_after else reading_after - now
    ready = {key.fd: mask for key, mask in selector.select(timeout)}
    if not events:
        selector.register(master, selectors.EVENT_READ)
    if stdin_open and 0 in ready:
        data = os.read(0, 65536)
        if data:
            pending += data
        else:
            selector.unregister(0)
            stdin_open = False
    mask = ready.get(master, 0)
    if mask & selectors.EVENT_WRITE and pending:
        try:
            written = os.write(master, pending)
            del pending[:written]
        except BlockingIOError:
            pass
        except OSError:
            pending.clear()  # the pty is gone
    if mask & selectors.EVENT_READ:
        try:
            data = os.read(master, 65536)
        except BlockingIOError:
            continue
        except OSError:  # EIO: every slave end is closed
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
