#!/usr/bin/env python3
"""What the browser bundle is made of (issue 26): code and data of a WASM file by crate group.

    scripts/wasm-size.py FILE.wasm [--markdown] [--top N]

FILE must still carry its name section (wasm-bindgen without --remove-name-section; the site
build removes it). Each function body is given to the crate its name starts with: for
`<T as Trait>::f` the crate of T, so the view code the app's components instantiate in tachys
counts as tachys; `drop_in_place` of any type counts as drop glue. The brotli column compresses each group's bodies on their own
(brotli -q 11), so it is an estimate of what the group costs in the shipped file; the groups'
sum is close to, not equal to, the file's brotli size.
"""

import re
import subprocess
import sys
from collections import defaultdict

# Groups as the issue counts them; a crate not listed is its own group.
GROUPS = {
    "tachys": "tachys (view code)",
    "leptos": "leptos",
    "leptos_dom": "leptos",
    "leptos_router": "leptos_router",
    "reactive_graph": "reactive_graph",
    "reactive_stores": "reactive_graph",
    "server_fn": "server_fn",
    "serde": "serde + serde_json",
    "serde_json": "serde + serde_json",
    "serde_core": "serde + serde_json",
    "serde_qs": "serde_qs",
    "chrono": "chrono + rust_decimal",
    "rust_decimal": "chrono + rust_decimal",
    "leptos_i18n": "leptos_i18n",
    "app": "app (our code)",
    "frontend": "app (our code)",
    "core": "core + alloc + std",
    "alloc": "core + alloc + std",
    "std": "core + alloc + std",
    "dlmalloc": "core + alloc + std",
    "compiler_builtins": "core + alloc + std",
    "wasm_bindgen": "wasm-bindgen + js-sys + web-sys",
    "js_sys": "wasm-bindgen + js-sys + web-sys",
    "web_sys": "wasm-bindgen + js-sys + web-sys",
    "wasm_bindgen_futures": "wasm-bindgen + js-sys + web-sys",
    "gloo_net": "gloo",
    "gloo_utils": "gloo",
    "futures_util": "futures",
    "futures_channel": "futures",
    "futures_core": "futures",
    "any_spawner": "futures",
}


def leb(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def name_of(buf, pos):
    length, pos = leb(buf, pos)
    return buf[pos:pos + length].decode("utf-8", "replace"), pos + length


def sections(buf):
    if buf[:4] != b"\0asm":
        sys.exit("not a WASM file")
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, start = leb(buf, pos + 1)
        yield sid, start, start + size
        pos = start + size


def imported_functions(buf, start):
    count, pos = leb(buf, start)
    funcs = 0
    for _ in range(count):
        _, pos = name_of(buf, pos)
        _, pos = name_of(buf, pos)
        kind = buf[pos]
        pos += 1
        if kind == 0:  # function: type index
            _, pos = leb(buf, pos)
            funcs += 1
        elif kind in (1, 2):  # table (reftype, then limits) or memory (limits)
            if kind == 1:
                pos += 1
            flags, pos = leb(buf, pos)
            _, pos = leb(buf, pos)
            if flags & 1:
                _, pos = leb(buf, pos)
        elif kind == 3:  # global: valtype + mutability
            pos += 2
        else:
            sys.exit(f"unknown import kind {kind}")
    return funcs


# wasm-bindgen writes the names demangled: `core[c5930c85a12de822]::fmt::write`,
# `<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_struct::h…`.
CRATE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::")


def crate_of(name):
    """The crate a function counts for: the first path's crate; for `<T as Trait>::f`, T's."""
    if "drop_in_place" in name:
        return "(drop glue)"
    m = CRATE.search(name)
    if m:
        return m.group(1)
    if name.startswith("__wbg") or name.startswith("__wbindgen"):
        return "wasm_bindgen"
    return "(unnamed)"


def brotli_size(data):
    out = subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True)
    return len(out.stdout)


def main():
    args = sys.argv[1:]
    markdown = "--markdown" in args
    top = 0
    if "--top" in args:
        top = int(args[args.index("--top") + 1])
    files = [a for a in args if a.endswith(".wasm")]
    if len(files) != 1:
        sys.exit(__doc__)
    buf = open(files[0], "rb").read()
    imports = 0
    bodies = []
    names = {}
    data = b""
    for sid, start, end in sections(buf):
        if sid == 2:
            imports = imported_functions(buf, start)
        elif sid == 10:
            count, pos = leb(buf, start)
            for _ in range(count):
                size, body = leb(buf, pos)
                bodies.append((body, body + size))
                pos = body + size
        elif sid == 11:
            data += buf[start:end]
        elif sid == 0:
            cname, pos = name_of(buf, start)
            if cname != "name":
                continue
            while pos < end:
                sub = buf[pos]
                size, sstart = leb(buf, pos + 1)
                if sub == 1:
                    count, p = leb(buf, sstart)
                    for _ in range(count):
                        idx, p = leb(buf, p)
                        fname, p = name_of(buf, p)
                        names[idx] = fname
                pos = sstart + size
    if not names:
        sys.exit("the file has no name section: build it without --remove-name-section")
    groups = defaultdict(lambda: [0, 0, []])
    functions = []
    for i, (start, end) in enumerate(bodies):
        name = names.get(imports + i, f"(function {imports + i})")
        crate = crate_of(name)
        group = GROUPS.get(crate, crate)
        g = groups[group]
        g[0] += 1
        g[1] += end - start
        g[2].append(buf[start:end])
        functions.append((end - start, name))
    groups["(data: strings, tables)"] = [0, len(data), [data]]
    total_raw = sum(g[1] for g in groups.values())
    rows = []
    for group, (count, raw, chunks) in groups.items():
        rows.append((brotli_size(b"".join(chunks)), raw, count, group))
    rows.sort(reverse=True)
    shown = rows[:14]
    rest = rows[14:]
    if rest:
        shown.append((sum(r[0] for r in rest), sum(r[1] for r in rest), sum(r[2] for r in rest),
                      f"{len(rest)} other crates"))
    whole = brotli_size(buf)
    kib = lambda b: f"{b / 1024:.1f}"
    if markdown:
        print("| crate group | functions | raw KiB | brotli KiB (alone) |")
        print("|---|---:|---:|---:|")
        for br, raw, count, group in shown:
            print(f"| {group} | {count} | {kib(raw)} | {kib(br)} |")
        print(f"| **code + data** | {len(bodies)} | {kib(total_raw)} | "
              f"{kib(sum(r[0] for r in rows))} |")
        print(f"| the file with its name section | | {kib(len(buf))} | {kib(whole)} |")
    else:
        print(f"{'crate group':40} {'functions':>9} {'raw KiB':>9} {'brotli KiB':>11}")
        for br, raw, count, group in shown:
            print(f"{group:40} {count:9} {kib(raw):>9} {kib(br):>11}")
        print(f"{'code + data':40} {len(bodies):9} {kib(total_raw):>9} {kib(sum(r[0] for r in rows)):>11}")
    if top:
        print()
        functions.sort(reverse=True)
        for size, name in functions[:top]:
            print(f"{size:8} {crate_of(name):20} {name[:150]}")


if __name__ == "__main__":
    main()
