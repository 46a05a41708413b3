"""The IMAP-client assignment as a student writes it with sockets: log in, find the message whose
subject is SUBJECT, mark it seen, move it to FOLDER, log out.

It reads the task from its environment (IMAP_HOST, IMAP_PORT, IMAP_USER, IMAP_PASSWORD, SUBJECT,
FOLDER). Given a mistake's name as its argument it makes that one mistake, so the grader's tests
can check that each is caught: copy-only, no-expunge, fetch-body, hard-coded, same-tag, examine,
no-logout.
"""
import os
import socket
import sys

mistake = sys.argv[1] if len(sys.argv) > 1 else ""
env = os.environ
sock = socket.create_connection((env["IMAP_HOST"], int(env["IMAP_PORT"])))
buffered = b""
counter = 0


def read_line():
    global buffered
    while b"\r\n" not in buffered:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("the server closed the connection")
        buffered += chunk
    line, buffered = buffered.split(b"\r\n", 1)
    return line.decode()


def command(text):
    """Sends one tagged command and returns the lines up to and including its tagged answer."""
    global counter
    counter += 1
    tag = "a1" if mistake == "same-tag" else f"a{counter}"
    sock.sendall(f"{tag} {text}\r\n".encode())
    lines = []
    while True:
        line = read_line()
        lines.append(line)
        if line.startswith(tag + " "):
            return lines


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


read_line()  # the greeting
command(f"LOGIN {quoted(env['IMAP_USER'])} {quoted(env['IMAP_PASSWORD'])}")
command("EXAMINE INBOX" if mistake == "examine" else "SELECT INBOX")

if mistake == "hard-coded":
    number = "1"
elif mistake == "fetch-body":
    # Reads every whole message to look at its subject: BODY[] marks each one \Seen.
    command("FETCH 1:* (BODY[])")
    found = command(f"SEARCH SUBJECT {quoted(env['SUBJECT'])}")
    number = next(l for l in found if l.startswith("* SEARCH")).split()[2]
else:
    found = command(f"SEARCH SUBJECT {quoted(env['SUBJECT'])}")
    number = next(l for l in found if l.startswith("* SEARCH")).split()[2]

command(f"STORE {number} +FLAGS (\\Seen)")
folder = quoted(env["FOLDER"])
if mistake in ("copy-only", "no-expunge"):
    command(f"COPY {number} {folder}")
    if mistake == "no-expunge":
        command(f"STORE {number} +FLAGS (\\Deleted)")
else:
    command(f"MOVE {number} {folder}")

if mistake != "no-logout":
    command("LOGOUT")
sock.close()
