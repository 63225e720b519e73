#!/usr/bin/env python3
"""Writes the two small safetensors checkpoints the quick start commits.

v2 differs from v1 in exactly two parameter groups (a fine-tune of two layers), so the quick start
can show git-theta storing two new objects for the second commit. Standard library only, seeded, so
the files are the same on every run.
"""
import json
import random
import struct
import sys
from pathlib import Path


def write(path, groups):
    header, data, offset = {"__metadata__": {"format": "pt"}}, bytearray(), 0
    for name, shape, values in groups:
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        data += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + bytes(data))


def main(out_dir):
    rng = random.Random(2023)
    groups = [("embeddings.weight", [256, 64], None)]
    for layer in range(3):
        for part in ("query", "key", "value", "output"):
            groups.append((f"encoder.layer.{layer}.attention.{part}.weight", [64, 64], None))
            groups.append((f"encoder.layer.{layer}.attention.{part}.bias", [64], None))
    groups = [(n, s, [rng.gauss(0, 0.02) for _ in range(eval("*".join(map(str, s))))]) for n, s, _ in groups]
    write(Path(out_dir) / "v1.safetensors", groups)
    tuned = {"encoder.layer.2.attention.query.weight", "encoder.layer.2.attention.value.weight"}
    groups = [(n, s, [v + 1e-3 for v in vals] if n in tuned else vals) for n, s, vals in groups]
    write(Path(out_dir) / "v2.safetensors", groups)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
