"""Fill Chinese translations into the catalogue from a JSON file {msgid: msgstr} and clear
fuzzy flags on the entries it fills (used after `aftersales makemessages -l zh_Hans`).

Usage: python scripts/translate.py FILE.json   (then `make messages`)
       python scripts/translate.py --todo      (print untranslated and fuzzy msgids as JSON)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "aftersales" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(argv: list[str]) -> int:
    catalog = polib.pofile(str(PO))
    if argv and argv[0] == "--todo":
        todo = {}
        for entry in catalog.untranslated_entries() + catalog.fuzzy_entries():
            todo[entry.msgid] = entry.msgstr if entry.msgid_plural == "" else entry.msgstr_plural
        json.dump(todo, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    translations = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    filled = 0
    for entry in catalog:
        if entry.msgid in translations:
            value = translations[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value} if isinstance(value, str) else {int(k): v for k, v in value.items()}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            filled += 1
    catalog.save(str(PO))
    left = len(catalog.untranslated_entries()) + len(catalog.fuzzy_entries())
    print(f"filled {filled}; still untranslated or fuzzy: {left}")
    return 0 if left == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
