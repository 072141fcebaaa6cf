"""Runs a command on a new pty the way the SSM agent does for ECS Exec, for the fake agent.

amazon-ssm-agent 3.3.1142.0, agent/session/shell/shell_unix.go (StartCommandExecutor, container
mode): the command string is split like a shell would (shlex) and started with creack/pty's
Start, which sets Setsid and Setctty (vendor/github.com/creack/pty/run.go): the program is the
session leader and the pty its controlling terminal. writePump (shell.go) reads the pty until
the read fails (EIO once no process holds the slave end). This script does the same: pty output
to stdout, stdin to the pty, and exits with the program's status once the pty is drained.
"""
import os
import pty
import selectors
import shlex
import sys

argv = shlex.split(sys.argv[1])
pid, master = pty.fork()  # child: setsid(), the slave as controlling terminal and fds 0-2
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        os.write(2, f"Unable to start command: {error}\n".encode())
        os._exit(127)

selector = selectors.DefaultSelector()
selector.register(master, selectors.EVENT_READ)
try:
    selector.register(0, selectors.EVENT_READ)  # a pipe from the fake agent
except (PermissionError, ValueError):
    pass  # stdin is a file or /dev/null (run by hand)
while True:
    ready = [key.fd for key, _ in selector.select()]
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(master, data)
        else:
            selector.unregister(0)
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every slave end is closed
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
