#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# tests/pseudo/check.py TOP NAME STDOUT STDERR: the lines ackprof wrote for people under
# the pseudo-locale (tests/pseudo.sh), each checked for English outside ⟦…⟧.  Exempt:
# JSON and JSON Lines (programs read them), and in a line: ids, names, numbers, paths,
# flags, metavariables, the words of tests/pseudo/names and SysOM's own content (the
# strings of fixtures/scenarios).  Prints one "BAD<TAB>STREAM:LINENO<TAB>LINE<TAB>WORDS
# <TAB>SOURCE" line per offending line; SOURCE is where the English is in the sources.
import difflib, json, os, re, subprocess, sys

top, name, paths = sys.argv[1], sys.argv[2], sys.argv[3:5]

def load_names():
    words = set()
    with open(os.path.join(top, "tests/pseudo/names"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0]
            words.update(line.split())
    return words

def sysom_strings():
    """Every string SysOM's doubles return: kept as they came, never translated."""
    out = set()
    def walk(v):
        if isinstance(v, str):
            s = v.strip()
            if s.startswith(("{", "[")):
                try:
                    walk(json.loads(s))
                    return
                except ValueError:
                    pass
            for part in s.split("\n"):
                if len(part.strip()) >= 2 and part.strip() not in TRANSLATED:
                    out.add(part.strip())
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    root = os.path.join(top, "fixtures/scenarios")
    for d, _, files in os.walk(root):
        for fn in files:
            try:
                with open(os.path.join(d, fn), encoding="utf-8", errors="replace") as f:
                    body = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            body = body.split("\n---\n", 1)[-1]   # a scenario file: headers, ---, the body
            body = re.sub(r"\{\{[a-z_]+\}\}", "X", body)
            try:
                walk(json.loads(body))
            except ValueError:
                pass
    return sorted(out, key=len, reverse=True)

# SysOM's words that ackprof translates (report.c: task states, severities, subsystems):
# never exempt as SysOM's content.
TRANSLATED = {"Success", "Fail", "Failed", "Ready", "Running", "Pending", "Created", "Info",
              "Warn", "Warning", "Critical", "Memory", "CPU", "IO", "Network", "Runtime",
              "Health", "Disk", "Scheduling", "Kernel", "Process", "File system"}
NAMES = load_names()
SYSOM = sysom_strings()
SYSOM_SET = set(SYSOM)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
INNER = re.compile(r"⟦[^⟦⟧]*⟧")
WORD = re.compile(r"[A-Za-z][A-Za-z']*")
PUNCT = "()[]{}<>'\"`:,;.!?…；：，。（）「」《》、|*"

def is_json(line):
    s = line.strip()
    if not s.startswith(("{", "[")):
        return False
    try:
        json.loads(s)
        return True
    except ValueError:
        return False

def exempt(tok):
    t = tok.strip(PUNCT)
    if not t or not re.search(r"[A-Za-z]", t):
        return True
    if t in NAMES or t.lower() in NAMES:
        return True
    if re.search(r"[0-9/=@_.\\$%~+#-]", t):    # ids, paths, flags, hosts, numbers, kebab names
        return True
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", t):      # metavariables, acronyms, signals
        return True
    if re.search(r"[a-z][A-Z]", t):              # camelCase: API and field names
        return True
    if re.search(r"[^\x00-\x7f]", t):            # glued to translated text: see its ASCII run
        return all(exempt(w) for w in WORD.findall(t))
    return False

COMMAND = re.compile(r"^\s*(\$ )?(\S*/)?(aliyun|python3?|bash|sh)\s")

def norm(x):
    """Masked secrets, ids and numbers as one '*': SysOM's text as ackprof shows it."""
    return re.sub(r"\S*[0-9*]\S*|\S{16,}", "*", x)

SYSOM_NORM = sorted({norm(x) for x in SYSOM}, key=len, reverse=True)

def sysom_like(seg):
    """seg is SysOM's text as it came, maybe masked (****), cut or repaired (U+FFFD)."""
    t = seg.strip().strip(PUNCT + " ").strip()
    if not t:
        return True
    if t in SYSOM_SET:
        return True
    t = norm(t)
    for f in SYSOM_NORM:
        if len(f) < 8 or abs(len(f) - len(t)) > max(len(f), len(t)) // 2:
            continue
        m = difflib.SequenceMatcher(None, t, f, autojunk=False)
        if m.real_quick_ratio() >= 0.75 and m.quick_ratio() >= 0.75 and m.ratio() >= 0.75:
            return True
    return False

def english(line):
    s = ANSI.sub("", line)
    if COMMAND.match(s):
        return [], ""           # a command line shown (--dry-run, hints): data
    prev = None
    while prev != s:
        prev, s = s, INNER.sub("\x00", s)
    for text in SYSOM:
        if len(text) >= 12 and text in s:
            s = s.replace(text, "\x00")
    bad, kept = [], []
    # Each stretch between the translated pieces (and table cells) is judged alone.
    for seg in re.split(r"[\x00|]", s):
        words = []
        for tok in re.split(r"[\s⟦⟧]+", seg):
            if not exempt(tok):
                words.extend(w for w in WORD.findall(tok.strip(PUNCT)) if not exempt(w))
        if words and not sysom_like(seg):
            bad.extend(words)
            kept.append(seg)
    return bad, " ".join(kept)

def source_of(rest):
    """The first source line holding the longest English run of rest (after the ⟦…⟧ are cut)."""
    runs = re.findall(r"[A-Za-z][A-Za-z ',()-]*[A-Za-z)]", rest)
    for run in sorted(runs, key=len, reverse=True)[:3]:
        if len(run) < 4:
            continue
        try:
            r = subprocess.run(["grep", "-rnF", "--include=*.c", "--include=*.h", "--include=*.sh",
                                "--include=*.py", "--", run, "src", "scripts"],
                               cwd=top, capture_output=True, text=True)
        except OSError:
            break
        hit = r.stdout.splitlines()
        if hit:
            return hit[0][:200]
    return "(not found in src/ or scripts/: a runtime string?)"

for stream, path in zip(("stdout", "stderr"), paths):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        continue
    if stream == "stdout":
        try:
            json.loads(text)
            continue            # one JSON document (-o json)
        except ValueError:
            pass
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip() or is_json(line):
            continue
        bad, rest = english(line)
        if bad:
            print("BAD\t%s:%d\t%s\t%s\t%s" % (stream, n, line, " ".join(bad), source_of(rest)))
