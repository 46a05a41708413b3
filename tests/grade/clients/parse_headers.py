"""The parser assignment ("write parseHeaders for folded and encoded fields"), as a student does it.

It reads a message on stdin and prints its header fields on stdout as a JSON array of
[name, value] pairs: names as written, values unfolded (RFC 5322 §2.2.3), encoded-words decoded
(RFC 2047, with the standard library's email.header) and trimmed. Given a mistake's name as its
argument, it makes that one mistake, so the grader's tests can check that each is caught:
no-unfold (drops continuation lines), no-decode (leaves encoded-words as they are),
keep-space-between-words (decodes each encoded-word alone, keeping the whitespace between them),
reads-body (reads on past the blank line).
"""
import json
import re
import sys
from email.header import decode_header, make_header

mistake = sys.argv[1] if len(sys.argv) > 1 else ""
WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")

text = sys.stdin.buffer.read().decode("utf-8", "replace")
if mistake != "reads-body":
    text = text.split("\r\n\r\n", 1)[0]

fields = []  # [name, value as written, folds removed]
for line in text.split("\r\n"):
    if line[:1] in (" ", "\t"):
        # A continuation line: unfolding removes the CRLF only, the space or tab stays.
        if fields and mistake != "no-unfold":
            fields[-1][1] += line
        continue
    name, colon, value = line.partition(":")
    if colon:
        fields.append([name, value])


def decoded(value):
    if mistake == "no-decode":
        return value
    if mistake == "keep-space-between-words":
        return WORD.sub(lambda word: str(make_header(decode_header(word.group()))), value)
    # decode_header drops the whitespace between adjacent encoded-words (RFC 2047 §6.2).
    return str(make_header(decode_header(value)))


print(json.dumps([[name, decoded(value.strip())] for name, value in fields]))
