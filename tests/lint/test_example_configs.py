#!/usr/bin/env python3
"""examples/configs/*.toml pass `dnsd --check-config` without a warning (ctest lint.example_configs),
and there is one for every routing method the parser accepts (its key table's values for
[[profile]] method, as `dnsd --config-reference` prints them) plus nested profiles and the
seed scenario.

The configs name files a newcomer creates (their comments say how): secrets/tenant.auth and,
for geographic, GeoLite2-Country.mmdb. This test copies the configs into a fresh directory and
creates those there: a mode-600 auth file and a small GeoIP2 database (tests/support/mmdb_writer.py).

usage: test_example_configs.py DNSD_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "examples" / "configs"
EXTRA = {"nested", "sap-cloud-integration"}


def accepted_methods(dnsd: str) -> list:
    reference = subprocess.run([dnsd, "--config-reference"], capture_output=True, text=True,
                               check=True).stdout
    profile = reference.split("## [[profile]]", 1)[1].split("\n## ", 1)[0]
    row = re.search(r"^\| `method` \|[^|]*\|[^|]*\| ([^|]+) \|", profile, re.M)
    return [m.strip() for m in row.group(1).split(",")]


def make_files(directory: Path) -> None:
    secrets = directory / "secrets"
    secrets.mkdir()
    auth = secrets / "tenant.auth"
    auth.write_text("Basic ZXhhbXBsZTpub3QtYS1zZWNyZXQ=")  # example:not-a-secret
    auth.chmod(0o600)
    subprocess.run([sys.executable, REPO / "tests" / "support" / "mmdb_writer.py",
                    directory / "GeoLite2-Country.mmdb", "198.51.100.0/24=EU/DE",
                    "203.0.113.0/24=NA/US"], check=True, env=dict(os.environ,
                                                                  PYTHONDONTWRITEBYTECODE="1"))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    dnsd = sys.argv[1]
    failed = []
    names = sorted(p.stem for p in CONFIGS.glob("*.toml"))
    methods = accepted_methods(dnsd)
    if len(methods) < 6:
        failed.append(f"too few methods in the reference: {methods}")
    for missing in sorted((set(methods) | EXTRA) - set(names)):
        failed.append(f"examples/configs/{missing}.toml is missing")
    with tempfile.TemporaryDirectory(prefix="example-configs-") as tmp:
        work = Path(tmp)
        for name in names:
            shutil.copy(CONFIGS / f"{name}.toml", work)
        make_files(work)
        for name in names:
            proc = subprocess.run([dnsd, "--check-config", work / f"{name}.toml"],
                                  capture_output=True, text=True, timeout=60)
            if proc.returncode != 0 or proc.stderr:
                failed.append(f"{name}.toml: exit {proc.returncode}\n{proc.stderr}")
            else:
                print(proc.stdout.strip().replace(str(work) + "/", "examples/configs/"))
    for failure in failed:
        print("FAIL", failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
