# SPDX-License-Identifier: Apache-2.0
# tests/image-contents.py: run inside the OCI image (tests/image.sh, as root, by the SDK
# venv's python), it checks what issue 23 asks the image to be and to carry:
#  - small: no apt lists or caches, no compiler, no pip cache, no documentation, manual
#    or catalog but ours and the copyright files, no perl beyond perl-base;
#  - the SDK venv's bytecode compiled (every module has its .pyc), without pip or setuptools;
#  - the licences: the aliyun CLI's LICENSE, our NOTICE, and every distribution in the
#    venv named in NOTICE with the licence its metadata declares, and listed in
#    sdk-licenses.txt.
# Prints "ok - WHAT" or "not ok - WHAT" and "#   DETAIL" lines, then "# image-contents:
# done" (tests/image.sh counts a run without it as a failure); exits 1 on any failure.
import importlib.metadata as md
import importlib.util
import os
import re
import shutil
import sys

VENV = "/opt/ackprof/sdk-venv"
DOC = "/usr/share/doc"
NOTICE = DOC + "/ackprof/NOTICE"
failed = 0


def check(what, bad):
    """bad: a list of offending items; empty is a pass."""
    global failed
    if bad:
        failed += 1
        print("not ok - " + what)
        for b in bad[:15]:
            print("#   " + str(b))
        if len(bad) > 15:
            print("#   ... and %d more" % (len(bad) - 15))
    else:
        print("ok - " + what)


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def files(top):
    for d, _, fs in os.walk(top):
        for f in fs:    # symbolic links too, dangling ones included
            yield os.path.join(d, f)


# ---- small ----------------------------------------------------------------------
check("no apt lists or caches", [f for t in ("/var/lib/apt/lists", "/var/cache/apt")
                                  for f in files(t) if not f.endswith("/lock")])
path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
check("no compiler, assembler or linker", [c for c in ("cc", "gcc", "c++", "g++", "cpp", "clang",
                                           "tcc", "as", "ld", "make", "rustc", "go")
                                           if shutil.which(c, path=path)])
check("no pip or other cache under a home", [d for h in ("/root", "/home/ackprof")
                                             for d in (h + "/.cache",) if os.path.exists(d)])
ours = (DOC + "/ackprof/", DOC + "/aliyun-cli/")
check("/usr/share/doc: ours, the CLI's LICENSE and copyright files only",
      [f for f in files(DOC) if not f.startswith(ours) and not f.endswith("/copyright")])
check("/usr/share/man: our pages only",
      [f for f in files("/usr/share/man") if not re.search(r"/man1/ackprof\.1(\.gz)?$", f)])
check("/usr/share/locale: our catalog only",
      [f for f in files("/usr/share/locale") if not f.endswith("/LC_MESSAGES/ackprof.mo")])
check("no info pages", list(files("/usr/share/info")))
status = open("/var/lib/dpkg/status", encoding="utf-8").read()
pkgs = set(re.findall(r"^Package: (\S+)$", status, re.M))
check("no perl beyond perl-base, no usrmerge (merged /usr comes from mmdebstrap's hooks)",
      sorted(p for p in pkgs if p in ("perl", "usrmerge") or re.match(r"(libperl|perl-modules)", p)))

# ---- bytecode ---------------------------------------------------------------------
site = [p for p in sys.path if p.startswith(VENV) and p.endswith("site-packages")]
check("the SDK venv's site-packages is on the venv python's path", [] if site else [sys.path])
nopyc = [f for s in site for f in files(s) if f.endswith(".py")
         and not os.path.exists(importlib.util.cache_from_source(f))]
check("every module of the SDK venv has its bytecode", nopyc)
check("no pip or setuptools left in the SDK venv (it is root's; the image's user could not use them)",
      sorted(d.metadata["Name"] for d in md.distributions() if norm(d.metadata["Name"]) in ("pip", "setuptools")))

# ---- licences ---------------------------------------------------------------------
lic = DOC + "/aliyun-cli/LICENSE"
check("the aliyun CLI's LICENSE (Apache 2.0) is in the image",
      [] if os.path.isfile(lic) and "Apache License" in open(lic, encoding="utf-8").read()
      else [lic])
check("NOTICE and copyright are in /usr/share/doc/ackprof",
      [f for f in (NOTICE, DOC + "/ackprof/copyright") if not os.path.isfile(f)])


def spdx(text):
    """A licence as NOTICE or a package's metadata writes it, in SPDX words."""
    t = text.strip()
    for long, short in (("Apache License 2.0", "Apache-2.0"), ("Apache License, Version 2.0",
                        "Apache-2.0"), ("Apache 2.0", "Apache-2.0"), ("Apache Software License",
                        "Apache-2.0"), ("MIT License", "MIT"), ("BSD License", "BSD"),
                        ("Python Software Foundation License", "PSF-2.0")):
        t = t.replace(long, short)
    return t


def notice_licences():
    """NOTICE's Python part: names (indented 4) on the left, a licence after a gap of
    spaces; a line indented further carries on the licence of the line above."""
    out, names, text = {}, [], open(NOTICE, encoding="utf-8").read()
    part = text[text.index("Python SDK"):text.index("The exact list")]
    for line in part.splitlines():
        if len(line) - len(line.lstrip()) > 8:
            continue
        left, _, right = line.strip().partition("  ")
        items = [n.strip() for n in left.split(",") if n.strip()]
        if items and all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in items):
            names += [norm(n) for n in items]
        if right.strip() and names:
            for n in names:
                out[n] = spdx(right)
            names = []
    return out


notice = notice_licences()
dists = sorted({(norm(d.metadata["Name"]), d.metadata["Name"], d.metadata.get("License-Expression")
                 or d.metadata.get("License") or "") for d in md.distributions()})
missing = [name for n, name, _ in dists if n not in notice]
check("every distribution in the SDK venv is named in NOTICE", missing)
wrong = []
for n, name, declared in dists:
    if n in notice and declared and len(declared) < 60 and not (notice[n] + " ").startswith(spdx(declared) + " "):
        wrong.append("%s: NOTICE says %r, its metadata %r" % (name, notice[n], declared))
check("NOTICE gives each the licence its metadata declares", wrong)
listed = open(DOC + "/ackprof/sdk-licenses.txt", encoding="utf-8").read().split("\n")
listed = {norm(line.split()[0]) for line in listed if line.strip()}
check("sdk-licenses.txt lists every distribution", [name for n, name, _ in dists if n not in listed])
print("# image-contents: done")
sys.exit(1 if failed else 0)
