#!/usr/bin/env python3
"""Drive an interactive command through a pseudo-terminal, as a clerk at the counter would.

    drive.py SCRIPT TRANSCRIPT STDOUT -- COMMAND [ARG...]

The command gets the pty as its standard input and standard error (and controlling terminal:
Ctrl-C is a real SIGINT) and STDOUT as its standard output.  SCRIPT holds one step a line,
taken in order:

    REGEX<TAB>ANSWER   wait until REGEX appears in what the command writes after the previous
                       step's match, then type ANSWER and Enter (an empty ANSWER: Enter alone);
                       ANSWER <INTR> types Ctrl-C, <EOF> Ctrl-D, both without Enter
    REGEX              wait for REGEX, type nothing

A step that waits longer than $DRIVE_TIMEOUT seconds (default 60) fails the run: exit 99, the
transcript's end on stderr.  Otherwise, once the steps are done, the command's own exit status
is ours (128 + N when signal N ended it).  Everything the command wrote to the terminal is
saved to TRANSCRIPT (carriage returns dropped).
"""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

script_path, transcript_path, stdout_path = sys.argv[1:4]
assert sys.argv[4] == "--"
command = sys.argv[5:]
timeout = float(os.environ.get("DRIVE_TIMEOUT", "60"))

steps = []
with open(script_path, encoding="utf-8") as fp:
    for line in fp:
        line = line.rstrip("\n")
        if not line:
            continue
        regex, tab, answer = line.partition("\t")
        steps.append((re.compile(regex), answer if tab else None))

master, slave = os.openpty()
# Wide enough that no prompt wraps.
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))


def controlling_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


env = dict(os.environ, TERM="dumb", INPUTRC="/dev/null")
with open(stdout_path, "wb") as out:
    child = subprocess.Popen(command, stdin=slave, stdout=out, stderr=slave, env=env,
                             start_new_session=True, preexec_fn=controlling_terminal)
os.close(slave)

seen = b""
at = 0  # where the next step starts looking, in the decoded text


def text():
    return seen.decode("utf-8", errors="replace").replace("\r", "")


def read_some(deadline):
    global seen
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    ready, _, _ = select.select([master], [], [], left)
    if ready:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command closed the terminal (it ended)
            chunk = b""
        if not chunk:
            time.sleep(0.05)
        seen += chunk
    return True


def save():
    with open(transcript_path, "w", encoding="utf-8") as fp:
        fp.write(text())


for regex, answer in steps:
    deadline = time.monotonic() + timeout
    while True:
        m = regex.search(text(), at)
        if m:
            at = m.end()
            break
        if child.poll() is not None and not select.select([master], [], [], 0)[0]:
            deadline = min(deadline, time.monotonic() + 0.5)
        if not read_some(deadline):
            save()
            child.kill()
            sys.stderr.write("drive.py: waited in vain for %r; the terminal's end:\n%s\n"
                             % (regex.pattern, text()[-1500:]))
            sys.exit(99)
    if answer is None:
        continue
    if answer == "<INTR>":
        os.write(master, b"\x03")
    elif answer == "<EOF>":
        os.write(master, b"\x04")
    else:
        os.write(master, answer.encode("utf-8") + b"\r")

deadline = time.monotonic() + timeout
while child.poll() is None and time.monotonic() < deadline:
    read_some(min(deadline, time.monotonic() + 0.2))
while select.select([master], [], [], 0.1)[0]:  # what it wrote last
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
save()
if child.poll() is None:
    child.kill()
    sys.stderr.write("drive.py: the command did not end after the last step\n")
    sys.exit(99)
code = child.returncode
sys.exit(128 - code if code < 0 else code)
