"""The IMAP-client assignment written with Python's imaplib, as a student may: COPY, then flag
the original \\Deleted and EXPUNGE it (the way to move before RFC 6851's MOVE)."""
import imaplib
import os

env = os.environ
imap = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]))
imap.login(env["IMAP_USER"], env["IMAP_PASSWORD"])
imap.select("INBOX")
subject = '"' + env["SUBJECT"].replace('"', '\\"') + '"'
status, data = imap.uid("SEARCH", None, "SUBJECT", subject)
(uid,) = data[0].split()
imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
imap.uid("COPY", uid, env["FOLDER"])
imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
imap.expunge()
imap.logout()
