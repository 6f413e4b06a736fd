"""The mail bench's SMTP server (aiosmtpd), in a process of its own so that it does not share the
sender's interpreter: it accepts every message, counts it and keeps nothing, so that what is
measured is the sender.

    python -m bench.smtp_sink --fd 3    # a listening socket handed on (bench/mail.py binds it)

It prints "ready" once it listens, and how many messages it accepted when it is stopped
(SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
from typing import Any

from aiosmtpd.smtp import SMTP

HOSTNAME = "bench-sink.localhost"  # given, so that no connection looks up the machine's name


class Sink:
    """aiosmtpd's handler: recipients are taken as they come (its default), data counted."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 2.0.0 accepted"


async def serve(fd: int) -> int:
    loop = asyncio.get_running_loop()
    sink = Sink()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname=HOSTNAME, ident="bench sink", loop=loop),
        sock=socket.socket(fileno=fd),
    )
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    print("ready", flush=True)
    await stopped.wait()
    server.close()
    return sink.accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    accepted = asyncio.run(serve(parser.parse_args().fd))
    print(accepted, flush=True)


if __name__ == "__main__":
    main()
