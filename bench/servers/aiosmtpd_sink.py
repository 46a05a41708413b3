"""aiosmtpd (Debian's python3-aiosmtpd) as a benchmark target, keeping messages in memory like
the toolkit's target (the last 1,000 kept). Same control channel as _stats.ts: prints {"port"}
on start, then answers each stdin line: "stats" with {"accepted","rss"} (after a gc.collect()),
"count" with {"accepted"} alone, "exit" by closing.

    /usr/bin/python3 bench/servers/aiosmtpd_sink.py
"""
import asyncio
import gc
import json
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self):
        self.accepted = 0
        self.kept = [None] * 1000

    async def handle_DATA(self, server, session, envelope):
        self.kept[self.accepted % 1000] = envelope.content
        self.accepted += 1
        return "250 OK"


def rss():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def main():
    sink = Sink()
    loop = asyncio.get_running_loop()
    # hostname given: aiosmtpd would otherwise ask DNS for the machine's name (socket.getfqdn).
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="hamburger.edu", data_size_limit=64 * 1024 * 1024),
        host="127.0.0.1",
        port=0,
        backlog=1024,
    )
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        command = line.decode().strip()
        if command == "stats":
            gc.collect()
            print(json.dumps({"accepted": sink.accepted, "rss": rss()}), flush=True)
        elif command == "count":
            print(json.dumps({"accepted": sink.accepted}), flush=True)
        elif command == "exit" or not line:
            server.close()
            return


asyncio.run(main())
