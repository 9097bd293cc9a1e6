#!/usr/bin/env python3
"""Generate a synthetic Folio prompt repository with git fast-import.

usage: make-repo.py DEST [--prompts N] [--commits M] [--seed S]

The first commit adds folio.yaml and N prompts; each later commit edits one prompt
(chosen at random), so every prompt has about M / N versions along main.
Later benchmarks reuse this generator (promotion tags, manifest builds).
"""
import argparse
import os
import random
import subprocess
import sys

PROMPT = """schema: folio/prompt@1
name: {name}
description: Synthetic prompt {name}, revision {revision}.
model:
  provider: openai
  name: gpt-4o-mini
  temperature: 0
variables:
  ticket_text: {{ type: string, required: true }}
  ticket_type: {{ type: string, enum: [email, chat, web], default: email }}
messages:
  - role: system
    content: |
      You are classifier {name}. Revision {revision}.
      Ticket type: {{{{ticket_type}}}}
  - role: user
    content: "{{{{ticket_text}}}}"
"""

CONFIG = "schema: folio/config@1\nenvironments: [staging, production]\n"


def prompt_name(index):
    return "prompt_%04d" % index


def blob(data):
    encoded = data.encode()
    return b"data %d\n" % len(encoded) + encoded + b"\n"


def stream(prompts, commits, seed):
    rng = random.Random(seed)
    when = 1_700_000_000
    revisions = [0] * prompts
    yield b"reset refs/heads/main\n"
    for number in range(commits):
        when += 60
        lines = [b"commit refs/heads/main\n", b"mark :%d\n" % (number + 1),
                 b"author Bench <bench@example.com> %d +0000\n" % when,
                 b"committer Bench <bench@example.com> %d +0000\n" % when]
        if number == 0:
            message = "Add %d prompts" % prompts
            lines.append(blob(message))
            lines.append(b"M 100644 inline folio.yaml\n" + blob(CONFIG))
            for index in range(prompts):
                name = prompt_name(index)
                lines.append(b"M 100644 inline prompts/%s.yaml\n" % name.encode() + blob(PROMPT.format(name=name, revision=0)))
        else:
            index = rng.randrange(prompts)
            revisions[index] += 1
            name = prompt_name(index)
            lines.append(blob("Edit %s (revision %d)" % (name, revisions[index])))
            lines.append(b"from :%d\n" % number)
            lines.append(b"M 100644 inline prompts/%s.yaml\n" % name.encode() + blob(PROMPT.format(name=name, revision=revisions[index])))
        yield b"".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    os.makedirs(args.dest, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", args.dest], check=True)
    importer = subprocess.Popen(["git", "-C", args.dest, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    for chunk in stream(args.prompts, args.commits, args.seed):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", args.dest, "checkout", "-q", "main"], check=True)
    print("made %s: %d prompts, %d commits" % (args.dest, args.prompts, args.commits))


if __name__ == "__main__":
    main()
