"""Stage 4, publish: every decision applied to the staged attributes (rules.py, decisions.py), the release
written whole and swapped in (build.py, release.py), with its card, NOTICE, index and manifest; its content
digest (digest.py); a dry run (plan.py); and the check of a release from its folder alone (verify.py)."""
