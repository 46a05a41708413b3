"""The SMTP-client assignment (Kurose & Ross 2.3, the socket SMTP lab) as a student writes it.

It reads the assignment from its environment (SMTP_HOST, SMTP_PORT, MAIL_FROM, RCPT_TO, SUBJECT,
BODY_FILE). Given a mistake's name as its argument, it makes that one mistake, so the grader's
tests can check that each is caught: forget-quit, no-wait-354, no-dot-stuff, wrong-recipient.
"""
import os
import socket
import sys

mistake = sys.argv[1] if len(sys.argv) > 1 else ""
env = os.environ

sock = socket.create_connection((env["SMTP_HOST"], int(env["SMTP_PORT"])))
buffered = b""


def reply():
    """Reads one whole reply (every line of a multi-line one) and returns its last line."""
    global buffered
    while True:
        while b"\r\n" in buffered:
            line, buffered = buffered.split(b"\r\n", 1)
            if line[3:4] != b"-":
                print("S:", line.decode(), file=sys.stderr)
                return line
        chunk = sock.recv(1024)
        if not chunk:
            sys.exit("the server closed the connection")
        buffered += chunk


def command(line):
    sock.sendall(line.encode() + b"\r\n")
    return reply()


with open(env["BODY_FILE"]) as f:
    body_lines = f.read().splitlines()
if mistake != "no-dot-stuff":
    body_lines = ["." + l if l.startswith(".") else l for l in body_lines]
recipient = "alice@crepes.fr" if mistake == "wrong-recipient" else env["RCPT_TO"]
text = "".join(
    line + "\r\n"
    for line in [
        "From: " + env["MAIL_FROM"],
        "To: " + env["RCPT_TO"],
        "Subject: " + env["SUBJECT"],
        "",
        *body_lines,
    ]
)

reply()  # 220
command("HELO crepes.fr")
command("MAIL FROM:<" + env["MAIL_FROM"] + ">")
command("RCPT TO:<" + recipient + ">")
if mistake == "no-wait-354":
    sock.sendall(b"DATA\r\n" + text.encode())
    reply()  # 354, read too late
else:
    command("DATA")
    sock.sendall(text.encode())
command(".")
if mistake != "forget-quit":
    command("QUIT")
sock.close()
