"""Compile every aftersales/locale/*/LC_MESSAGES/*.po to .mo with polib, so translations
can be built on a machine without GNU gettext (`make messages`).

Usage: python scripts/compile_messages.py [--check]
  --check  exit non-zero if a .mo is missing or older than its .po (for CI)
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "aftersales" / "locale"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    if not po_files:
        print(f"No .po files under {LOCALE_DIR}", file=sys.stderr)
        return 1
    stale = []
    for po_path in po_files:
        mo_path = po_path.with_suffix(".mo")
        if check:
            if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                stale.append(mo_path)
            continue
        catalog = polib.pofile(str(po_path))
        untranslated = len(catalog.untranslated_entries())
        catalog.save_as_mofile(str(mo_path))
        print(f"{mo_path.relative_to(LOCALE_DIR.parent.parent)}: {catalog.percent_translated()}% translated"
              + (f", {untranslated} untranslated" if untranslated else ""))
    if stale:
        for path in stale:
            print(f"stale or missing: {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
