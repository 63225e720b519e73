#!/usr/bin/env python3
"""bench/null-filter.py FILE | --from-blob: the cheapest long-running filter (git's filter protocol, version 2), for
bench/floor.sh and the floor row of bench/run.sh.

Clean: it reads each file git sends, drops the bytes and answers one line, so `git add` through it costs what git
itself pays to read a file and pipe it to a filter process. Smudge: it drops what git sends and answers with the bytes
of FILE, read in pkt-line-sized pieces and written header and payload in one writev, so `git checkout` through it costs
what git pays to take a file from a filter process and write it. Together: the floor under git-theta's and git-lfs's
filter-process. With --from-blob a smudge answers with the bytes of the file whose path the blob holds (bench/run.sh
commits the paths of its v1 and v2 files, so the same alternating checkouts as the tools' go through it). It enlarges
both pipes to 1 MiB (as git-theta does) and reads each pkt-line straight into one reused
buffer.
"""
import fcntl
import os
import sys

F_SETPIPE_SZ = 1031
for fd in (0, 1):
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass

scratch = memoryview(bytearray(65520))
from_blob = len(sys.argv) > 1 and sys.argv[1] == "--from-blob"
smudge_file = sys.argv[1] if len(sys.argv) > 1 and not from_blob else None
MAX_PAYLOAD = 65516


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            sys.exit(0)  # git closed the pipe: the command is done
        data += chunk
    return data


def packet_length():
    return int(read_exact(4), 16)


def read_text_packets():
    lines = []
    while (length := packet_length()) != 0:
        lines.append(read_exact(length - 4))
    return lines


def drop_content():
    while (length := packet_length()) != 0:
        remaining = length - 4
        while remaining:
            got = os.readv(0, [scratch[:remaining]])
            if got == 0:
                sys.exit(0)
            remaining -= got


def read_content():
    data = b""
    while (length := packet_length()) != 0:
        data += read_exact(length - 4)
    return data


def send(*lines):
    os.write(1, b"".join(b"%04x" % (len(line) + 4) + line for line in lines) + b"0000")


def send_file(path):
    with open(path, "rb", buffering=0) as source:
        while chunk := source.read(MAX_PAYLOAD):
            os.writev(1, [b"%04x" % (len(chunk) + 4), chunk])
    os.write(1, b"0000")


read_text_packets()
send(b"git-filter-server\n", b"version=2\n")
read_text_packets()
send(b"capability=clean\n", b"capability=smudge\n")
while True:
    command = read_text_packets()  # command=clean|smudge, pathname=...
    smudge = command[0].startswith(b"command=smudge")
    if smudge and from_blob:
        named = read_content().decode().strip()
    else:
        drop_content()
    send(b"status=success\n")
    if smudge and from_blob:
        send_file(named)
    elif smudge and smudge_file:
        send_file(smudge_file)
    else:
        os.write(1, b"%04xmetadata\n0000" % (len(b"metadata\n") + 4))
    send()  # the empty list: status unchanged
