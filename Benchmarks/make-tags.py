#!/usr/bin/env python3
"""Add N signed promotion tags to a repository made by make-repo.py.

usage: make-tags.py REPO KEY --tags N [--env production] [--first 1]

KEY is an unencrypted OpenSSH ed25519 private key; its public half must be in the
repository's .folio/allowed_signers. Each tag is exactly what `git tag -s` with
gpg.format=ssh writes (payload, then an SSH SIGNATURE block over it, namespace "git"),
and promotes version 1 of one of the repository's prompts. Tags are written in one
`git fast-import` run.
"""
import argparse
import base64
import hashlib
import struct
import subprocess

from cryptography.hazmat.primitives import serialization


def string(data):
    return struct.pack(">I", len(data)) + data


def sshsig(private_key, payload, namespace=b"git"):
    public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public_blob = string(b"ssh-ed25519") + string(public)
    signed = b"SSHSIG" + string(namespace) + string(b"") + string(b"sha512") + string(hashlib.sha512(payload).digest())
    signature = string(b"ssh-ed25519") + string(private_key.sign(signed))
    blob = b"SSHSIG" + struct.pack(">I", 1) + string(public_blob) + string(namespace) + string(b"") + string(b"sha512") + string(signature)
    encoded = base64.b64encode(blob).decode()
    lines = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return ("-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n").encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("repo")
    parser.add_argument("key")
    parser.add_argument("--tags", type=int, default=10000)
    parser.add_argument("--env", default="production")
    parser.add_argument("--first", type=int, default=1, help="the sequence of the first tag (to add tags later)")
    args = parser.parse_args()
    key = serialization.load_ssh_private_key(open(args.key, "rb").read(), password=None)
    git = lambda *a: subprocess.run(["git", "-C", args.repo] + list(a), check=True, capture_output=True, text=True).stdout.strip()
    tip = git("rev-parse", "main")
    first = git("rev-list", "--max-parents=0", "main")
    prompts = [line.split("\t")[1] for line in git("ls-tree", first, "prompts/").splitlines()]
    blobs = {path: git("rev-parse", "%s:%s" % (first, path)) for path in prompts}
    tagger = "Bench <bench@example.com> 1790000000 +0000"
    stream = []
    for sequence in range(args.first, args.first + args.tags):
        path = prompts[sequence % len(prompts)]
        name = path[len("prompts/"):-len(".yaml")]
        tag = "folio/%s/%d" % (args.env, sequence)
        message = "promote %s v1 to %s\n\nBenchmark promotion %d.\n\nFolio-Prompt: %s@1 blob=%s\n" % (name, args.env, sequence, name, blobs[path])
        payload = ("object %s\ntype commit\ntag %s\ntagger %s\n\n%s" % (tip, tag, tagger, message)).encode()
        data = message.encode() + sshsig(key, payload)
        stream.append(b"tag %s\nfrom %s\ntagger %s\ndata %d\n%s\n" % (tag.encode(), tip.encode(), tagger.encode(), len(data), data))
    subprocess.run(["git", "-C", args.repo, "fast-import", "--quiet"], input=b"".join(stream), check=True)
    print("made %d signed tags in %s" % (args.tags, args.repo))


if __name__ == "__main__":
    main()
