#!/usr/bin/env python3
"""Prints the modules of an Odoo tree that odoo-2fa never runs, one per line as
`<module>\t<reason>`: modules under a proprietary licence, and modules that depend (directly or
not) on a module the tree lacks (leftovers of a tree that once carried proprietary modules;
Odoo would mark them "to install" through auto_install and fail with "inconsistent states").
The local verify backend runs Odoo from a tree without them (src/verify/community.ts); the
odoo-2fa/odoo image leaves them out (scripts/docker/build-images.sh).

Of a proprietary module, only its manifest is parsed, for its licence: odoo-2fa never reads,
copies or installs anything else of it.

usage: left-out-modules.py ADDONS_DIR [ADDONS_DIR...]
"""
import ast
import os
import sys

PROPRIETARY_PREFIXES = ("OEEL", "OPL", "Other proprietary")

manifests = {}
for root in sys.argv[1:]:
    if not os.path.isdir(root):
        continue
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "__manifest__.py")
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                manifests[name] = ast.literal_eval(handle.read())
        except Exception:  # an unreadable manifest: Odoo would skip the module too
            manifests[name] = {"installable": False}

reasons = {}
for name, manifest in manifests.items():
    licence = str(manifest.get("license", "LGPL-3"))
    if licence.startswith(PROPRIETARY_PREFIXES):
        reasons[name] = "proprietary licence %s" % licence

state = {}


def missing(name, stack=()):
    """The first missing module on name's dependency tree, or None."""
    if name in state:
        return state[name]
    if name not in manifests:
        return name
    if name in stack:
        return None
    state[name] = None
    for dep in manifests[name].get("depends", []) or []:
        if dep in reasons:
            state[name] = dep
            break
        lack = missing(dep, stack + (name,))
        if lack:
            state[name] = lack
            break
    return state[name]


for name in manifests:
    if name in reasons:
        continue
    lack = missing(name)
    if lack:
        reasons[name] = "depends on %s, which the tree lacks" % lack

for name in sorted(reasons):
    print("%s\t%s" % (name, reasons[name]))
