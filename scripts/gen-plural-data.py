#!/usr/bin/env python3
"""Generate Herald's CLDR plural rule tables and their test fixture from CLDR's XML.

Reads `common/supplemental/plurals.xml` (cardinal) and `ordinals.xml` (ordinal) and writes:

- Sources/HeraldCore/Plurals/PluralRuleData.swift: per group of locales that share rules, the
  locales and the rule strings (`one: i = 1 and v = 0; many: …`) without their samples. Rules are
  parsed at run time, lazily and once per group, so the Swift stays small and compiles fast.
- Tests/HeraldCoreTests/Fixtures/cldr-plural-samples.json: for every locale and kind, every
  category's `@integer` and `@decimal` samples exactly as CLDR writes them (`2~16`, `1.0~1.5`,
  `1c6`, `…`). PluralRulesTests checks each sample against the category CLDR gives it.

Both outputs are committed: CI does not install CLDR. To regenerate (Debian: CLDR 41 from the
`unicode-cldr-core` package, installed under /usr/share/unicode/cldr):

    apt-get install unicode-cldr-core
    python3 scripts/gen-plural-data.py                 # or: --cldr /path/to/cldr (a checkout or
                                                       #     the cldr-common zip, unpacked)
"""

import argparse
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
SWIFT_OUT = ROOT / "Sources/HeraldCore/Plurals/PluralRuleData.swift"
FIXTURE_OUT = ROOT / "Tests/HeraldCoreTests/Fixtures/cldr-plural-samples.json"
CATEGORIES = ["zero", "one", "two", "few", "many", "other"]


def cldr_version(cldr: pathlib.Path) -> str:
    """The release number, from the `cldrVersion` attribute the DTD fixes."""
    dtd = (cldr / "common/dtd/ldmlSupplemental.dtd").read_text(encoding="utf-8")
    match = re.search(r'cldrVersion\s+CDATA\s+#FIXED\s+"([^"]+)"', dtd)
    if not match:
        sys.exit(f"no cldrVersion in {cldr}/common/dtd/ldmlSupplemental.dtd")
    return match.group(1)


def split_rule(text: str):
    """`i = 1 and v = 0 @integer 1 @decimal …` → ("i = 1 and v = 0", {"integer": [...], ...})."""
    condition, _, samples_text = text.partition("@")
    condition = " ".join(condition.split())
    samples = {}
    for chunk in re.split(r"@", "@" + samples_text if samples_text else ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        kind, _, items = chunk.partition(" ")
        if kind not in ("integer", "decimal"):
            sys.exit(f"unknown sample type @{kind} in {text!r}")
        samples[kind] = [item.strip() for item in items.split(",") if item.strip()]
    return condition, samples


def read_groups(path: pathlib.Path, kind: str):
    """The `<pluralRules>` groups of one file, in file order: (locales, [(category, condition, samples)])."""
    root = ET.parse(path).getroot()
    plurals = [p for p in root.iter("plurals") if p.get("type") == kind]
    if len(plurals) != 1:
        sys.exit(f"{path}: expected one <plurals type=\"{kind}\">")
    groups = []
    seen = set()
    for element in plurals[0].iter("pluralRules"):
        locales = element.get("locales").split()
        for locale in locales:
            if locale in seen:
                sys.exit(f"{path}: {locale} appears twice")
            seen.add(locale)
        rules = []
        for rule in element.iter("pluralRule"):
            category = rule.get("count")
            if category not in CATEGORIES:
                sys.exit(f"{path}: unknown category {category}")
            condition, samples = split_rule(rule.text or "")
            if (category == "other") != (condition == ""):
                sys.exit(f"{path}: {locales[0]} {category}: only `other` has no condition")
            rules.append((category, condition, samples))
        order = [CATEGORIES.index(category) for category, _, _ in rules]
        if order != sorted(order) or rules[-1][0] != "other":
            sys.exit(f"{path}: {locales[0]}: categories out of order or no `other`")
        groups.append((locales, rules))
    return groups


def swift_string(text: str) -> str:
    if '"' in text or "\\" in text:
        sys.exit(f"unexpected character in {text!r}")
    return f'"{text}"'


def swift_table(name: str, source: str, groups) -> str:
    lines = [
        f"    /// {name.capitalize()} rules from `{source}`, one entry per group of locales that share them.",
        f"    static let {name}: [Group] = [",
    ]
    for locales, rules in groups:
        rule_text = "; ".join(f"{category}: {condition}" for category, condition, _ in rules if category != "other")
        lines.append(f"        ({swift_string(' '.join(locales))}, {swift_string(rule_text)}),")
    lines.append("    ]")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cldr", default="/usr/share/unicode/cldr", help="CLDR root (has common/supplemental)")
    args = parser.parse_args()
    cldr = pathlib.Path(args.cldr)
    version = cldr_version(cldr)
    cardinal = read_groups(cldr / "common/supplemental/plurals.xml", "cardinal")
    ordinal = read_groups(cldr / "common/supplemental/ordinals.xml", "ordinal")

    swift = f"""// GENERATED by scripts/gen-plural-data.py from CLDR {version}
// (common/supplemental/plurals.xml and ordinals.xml). Do not edit: to regenerate, install CLDR
// (Debian: `apt-get install unicode-cldr-core`) and run `python3 scripts/gen-plural-data.py`.

/// CLDR's plural rules as written in its supplemental data, grouped as CLDR groups them.
///
/// Each group is the space-separated CLDR locale ids that share the rules, and the rules as
/// `category: condition` pairs separated by `;`, without their samples. `other` is implicit: it is
/// the category of every number no rule matches. ``PluralRules`` parses a group the first time a
/// locale of the group is asked for.
enum PluralRuleData {{
    typealias Group = (locales: String, rules: String)

    /// The CLDR release the tables come from.
    static let cldrVersion = "{version}"

{swift_table("cardinal", "plurals.xml", cardinal)}

{swift_table("ordinal", "ordinals.xml", ordinal)}
}}
"""
    SWIFT_OUT.parent.mkdir(parents=True, exist_ok=True)
    SWIFT_OUT.write_text(swift, encoding="utf-8")

    # One line per locale keeps the fixture readable and its diffs small.
    out = ["{", f'  "cldrVersion": {json.dumps(version)},']
    for index, (kind, groups) in enumerate((("cardinal", cardinal), ("ordinal", ordinal))):
        entries = {}
        for locales, rules in groups:
            samples = {category: sample for category, _, sample in rules}
            for locale in locales:
                entries[locale] = samples
        out.append(f'  "{kind}": {{')
        names = sorted(entries)
        for position, locale in enumerate(names):
            comma = "," if position < len(names) - 1 else ""
            out.append(f"    {json.dumps(locale)}: {json.dumps(entries[locale], ensure_ascii=False)}{comma}")
        out.append("  }" + ("," if index == 0 else ""))
    out.append("}")
    FIXTURE_OUT.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE_OUT.write_text("\n".join(out) + "\n", encoding="utf-8")

    count = lambda groups: sum(len(locales) for locales, _ in groups)
    print(f"CLDR {version}: {count(cardinal)} cardinal locales in {len(cardinal)} groups, "
          f"{count(ordinal)} ordinal locales in {len(ordinal)} groups")
    print(f"wrote {SWIFT_OUT.relative_to(ROOT)} and {FIXTURE_OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
