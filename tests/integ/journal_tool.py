"""Damage a data directory's file as a crash or a bad disk would, for the
durability tests (the format: mgrfs(7), "Data directory").

    journal_tool.py records FILE        how many intact records, and where they end
    journal_tool.py tear FILE           a record written in part after the last
    journal_tool.py corrupt FILE N      one byte of record N (from 0) flipped
    journal_tool.py cut FILE            the file ends halfway through its last record
"""
import struct
import sys

HEAD = 24


def records(data):
    off, out = HEAD, []
    while off + 8 <= len(data):
        (n,) = struct.unpack_from("<I", data, off)
        if n == 0 or off + 8 + n > len(data):
            break
        out.append((off, n))
        off += 8 + n
    return out, off


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    recs, end = records(data)
    if cmd == "records":
        print(len(recs), end)
        return
    if cmd == "tear":
        # Says 100 bytes, holds 10: the rest never reached the disk.
        part = struct.pack("<II", 100, 0x12345678) + b"\x05" * 10
        data[end:end + len(part)] = part
    elif cmd == "cut":
        off, n = recs[-1]
        with open(path, "r+b") as f:
            f.truncate(off + 8 + n // 2)
        return
    elif cmd == "corrupt":
        off, n = recs[int(sys.argv[3])]
        data[off + 8 + n // 2] ^= 0x55
    with open(path, "r+b") as f:
        f.write(data)


main()
