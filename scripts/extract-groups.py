#!/usr/bin/python3
"""The catalog of Odoo Community's security groups and modules, per series, as committed data.

    /usr/bin/python3 scripts/extract-groups.py [--sources DIR] [--out DIR] [--check] [SERIES ...]
    npm run groups:extract -- [--check] [SERIES ...]

For each series whose source tree is present (DIR/<series>, default ~/.cache/odoo-2fa/sources),
writes OUT/<series>.json (default src/policy/groups/):

    {"series": "17.0",
     "modules": {"account": {"name": "Invoicing", "application": true, "depends": ["analytic", ...]}, ...},
     "groups": {"account.group_account_manager": {"module": "account", "name": "Accounting / Administrator",
                "implied": ["account.group_account_invoice", ...]}, ...}}

`modules`: every community module folder with a manifest (TREE/odoo/addons, TREE/addons), with its
title, whether it is an app, and its community dependencies (`base` left out; `proprietary_depends`
when it also needs a module that is not listed).
`groups`: every `res.groups` record of their data files (the manifests' `data`, in order), keyed by
its full xml id; `name` is what Odoo shows (`full_name`: "<category or privilege> / <name>");
`implied` lists the groups it implies directly (`implied_ids`, and `implied_by_ids` from the other
side), only as set by the modules that own one of the two groups: those are installed whenever both
groups exist. Sorted and one entry per line, so the files diff well and are reproducible.

Only modules whose manifest license is LGPL-3 (Odoo's default when the manifest has none) are read.
Any other license (OEEL-1, OPL-1, ...) is proprietary: such a module is skipped without reading
anything but its manifest's license, and it is neither listed nor counted by name.

`--check` writes nothing: it compares with the files in OUT and exits 1 on a difference.
Needs only the standard library and lxml (Debian's python3-lxml); Odoo is not imported.
"""

import argparse
import ast
import json
import os
import re
import sys

from lxml import etree

SERIES = ("16.0", "17.0", "18.0", "19.0")
OPEN_LICENSES = {"LGPL-3"}
GROUP_MODELS = ("res.groups", "ir.module.category", "res.groups.privilege")
REF = re.compile(r"""\bref\(\s*['"]([\w.]+)['"]\s*\)""")
UNLINK = re.compile(r"""(?:\(\s*3\s*,|Command\.unlink\()\s*ref\(\s*['"]([\w.]+)['"]\s*\)""")


def read_manifest(path):
    with open(path, encoding="utf-8") as handle:
        return ast.literal_eval(handle.read())


def license_of(path):
    """The manifest's license, read without evaluating anything else of a possibly proprietary module."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r"""['"]license['"]\s*:\s*['"]([^'"]*)['"]""", text)
    return match.group(1) if match else "LGPL-3"


def community_modules(tree):
    """{name: folder} of the open-source modules of a source tree; skipped proprietary ones are only counted."""
    found = {}
    skipped = 0
    for parent in (os.path.join(tree, "odoo", "addons"), os.path.join(tree, "addons")):
        if not os.path.isdir(parent):
            continue
        for name in sorted(os.listdir(parent)):
            manifest = os.path.join(parent, name, "__manifest__.py")
            if not os.path.isfile(manifest) or name in found:
                continue
            if license_of(manifest) not in OPEN_LICENSES:
                skipped += 1
                continue
            found[name] = os.path.join(parent, name)
    return found, skipped


def full_id(xmlid, module):
    return xmlid if "." in xmlid else f"{module}.{xmlid}"


def field_text(field):
    """The literal value of a `<field>`: its text, or an `eval` that is a plain literal."""
    if field.get("eval") is not None:
        try:
            value = ast.literal_eval(field.get("eval"))
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    return (field.text or "").strip() or None


def category_xmlid(path):
    """Odoo's xml id for a manifest category ("Accounting/Accounting"): odoo/modules/db.py, create_categories."""
    slug = "_".join(part.lower() for part in path).replace("&", "and").replace(" ", "_")
    return f"base.module_category_{slug}"


def data_records(folder, module, manifest):
    """(model, xmlid, {field: element}) of the records in the module's data files, in load order."""
    for relative in manifest.get("data", []):
        if not relative.endswith(".xml"):
            continue
        path = os.path.join(folder, relative)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            content = handle.read()
        if not any(model.encode() in content for model in GROUP_MODELS):
            continue
        root = etree.fromstring(content, etree.XMLParser(remove_comments=True, resolve_entities=False))
        for record in root.iter("record"):
            model = record.get("model")
            if model not in GROUP_MODELS or not record.get("id"):
                continue
            fields = {field.get("name"): field for field in record.iter("field")}
            yield model, full_id(record.get("id"), module), fields


def refs(field, module):
    """(linked, unlinked) xml ids of a many2many field's `eval` or `ref`."""
    if field.get("ref"):
        return [full_id(field.get("ref"), module)], []
    expression = field.get("eval") or ""
    unlinked = [full_id(x, module) for x in UNLINK.findall(expression)]
    linked = [full_id(x, module) for x in REF.findall(expression) if full_id(x, module) not in unlinked]
    return linked, unlinked


def load_order(manifests):
    """Odoo's order (odoo/modules/graph.py): by depth in the dependency graph, then by name; a later edit wins."""
    depth = {}

    def depth_of(name, seen=()):
        if name not in depth:
            deps = [d for d in manifests.get(name, {}).get("depends", []) if d in manifests and d not in seen]
            depth[name] = 1 + max((depth_of(d, (*seen, name)) for d in deps), default=0)
        return depth[name]

    return sorted(manifests, key=lambda name: (depth_of(name), name))


def extract(tree, series):
    modules, skipped = community_modules(tree)
    manifests = {name: read_manifest(os.path.join(folder, "__manifest__.py")) for name, folder in modules.items()}

    categories = {}  # xml id -> name: first those Odoo creates from the manifests' categories
    for manifest in manifests.values():
        path = [part.strip() for part in manifest.get("category", "Uncategorized").split("/") if part.strip()]
        for depth in range(1, len(path) + 1):
            categories.setdefault(category_xmlid(path[:depth]), path[depth - 1])
    privileges = {}  # xml id -> name (19.0)
    groups = {}  # xml id -> {"name", "category", "privilege"}
    edges = []  # (group, implied group, module that set it, linked?)

    for module in load_order(manifests):
        for model, xmlid, fields in data_records(modules[module], module, manifests[module]):
            name = field_text(fields["name"]) if "name" in fields else None
            if model == "ir.module.category":
                if name:
                    categories[xmlid] = name
                continue
            if model == "res.groups.privilege":
                if name:
                    privileges[xmlid] = name
                continue
            group = groups.setdefault(xmlid, {"name": None, "category": None, "privilege": None})
            if name:
                group["name"] = name
            for key, field_name in (("category", "category_id"), ("privilege", "privilege_id")):
                if field_name in fields and fields[field_name].get("ref"):
                    group[key] = full_id(fields[field_name].get("ref"), module)
            for field_name in ("implied_ids", "implied_by_ids"):
                if field_name not in fields:
                    continue
                linked, unlinked = refs(fields[field_name], module)
                for other, link in [(x, True) for x in linked] + [(x, False) for x in unlinked]:
                    pair = (xmlid, other) if field_name == "implied_ids" else (other, xmlid)
                    edges.append((*pair, module, link))

    implied = {xmlid: set() for xmlid in groups}
    for group, other, module, link in edges:
        owners = {group.split(".", 1)[0], other.split(".", 1)[0]}
        if module not in owners or group not in implied or other not in groups:
            continue
        if link:
            implied[group].add(other)
        else:
            implied[group].discard(other)

    catalog_groups = {}
    for xmlid, group in groups.items():
        owner = xmlid.split(".", 1)[0]
        if owner not in modules or group["name"] is None:
            continue  # another module's edit of a group of a module that is not community
        prefix = privileges.get(group["privilege"]) if series >= "19.0" else categories.get(group["category"])
        entry = {"module": owner, "name": f"{prefix} / {group['name']}" if prefix else group["name"]}
        if implied[xmlid]:
            entry["implied"] = sorted(implied[xmlid])
        catalog_groups[xmlid] = entry

    catalog_modules = {}
    for name in sorted(modules):
        manifest = manifests[name]
        depends = set(manifest.get("depends", [])) - {"base"}
        entry = {
            "name": manifest.get("name", name),
            "application": bool(manifest.get("application", False)),
            # Only community modules by name; a dependency on another module is only flagged.
            "depends": sorted(depends & set(modules)),
        }
        if depends - set(modules):
            entry["proprietary_depends"] = True
        catalog_modules[name] = entry
    return {"series": series, "modules": catalog_modules, "groups": dict(sorted(catalog_groups.items()))}, skipped


def dump(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def serialise(catalog):
    """Deterministic JSON, one module or group per line."""
    lines = ["{", f'"series": {dump(catalog["series"])},']
    for key in ("modules", "groups"):
        items = sorted(catalog[key].items())
        lines.append(f'"{key}": {{')
        lines += [f"  {dump(k)}: {dump(v)}{',' if i < len(items) - 1 else ''}" for i, (k, v) in enumerate(items)]
        lines.append("}," if key == "modules" else "}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("series", nargs="*", help="series to extract (default: every series whose tree is present)")
    parser.add_argument("--sources", default=os.path.expanduser("~/.cache/odoo-2fa/sources"))
    parser.add_argument("--out", default=os.path.join(os.path.dirname(here), "src", "policy", "groups"))
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    args = parser.parse_args(argv)

    wanted = args.series or list(SERIES)
    unknown = [s for s in wanted if s not in SERIES]
    if unknown:
        parser.error(f"unknown series {', '.join(unknown)} (one of {', '.join(SERIES)})")
    differs = False
    for series in wanted:
        tree = os.path.join(args.sources, series)
        if not os.path.isdir(os.path.join(tree, "odoo", "addons", "base")):
            print(f"{series}: no source tree at {tree}: skipped", file=sys.stderr)
            continue
        catalog, skipped = extract(tree, series)
        text = serialise(catalog)
        target = os.path.join(args.out, f"{series}.json")
        summary = (
            f"{len(catalog['modules'])} modules, {len(catalog['groups'])} groups"
            f" ({skipped} proprietary modules not read)"
        )
        if args.check:
            try:
                with open(target, encoding="utf-8") as handle:
                    same = handle.read() == text
            except FileNotFoundError:
                same = False
            differs |= not same
            print(f"{series}: {summary}: {'same as' if same else 'DIFFERS from'} {target}")
        else:
            os.makedirs(args.out, exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
            print(f"{series}: {summary}: wrote {target}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
