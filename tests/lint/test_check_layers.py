#!/usr/bin/env python3
"""scripts/check-layers on small made-up trees: what it lets through and what it names."""
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

CHECK = Path(__file__).resolve().parents[2] / "scripts" / "check-layers"
LAYERS = "# lowest first\nbase lib/wire\nlib other\napp\n"


def run(files, *args):
    """Writes `files` ({path: text}) and the layer file into a fresh tree; (exit code, output)."""
    with tempfile.TemporaryDirectory() as root:
        for path, text in {"layers": LAYERS, **files}.items():
            (Path(root) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(root) / path).write_text(text)
        done = subprocess.run([sys.executable, str(CHECK), "--root", root, "--layers", f"{root}/layers", *args],
                              capture_output=True, text=True)
        return done.returncode, done.stdout


class CheckLayers(unittest.TestCase):
    def test_includes_that_point_down_pass(self):
        code, out = run({"base/a.hh": "", "lib/wire/w.hh": "", "lib/l.hh": '#include "lib/wire/w.hh"\n',
                         "app/main.cc": '#include "lib/l.hh"\n#include "base/a.hh"\n#include <vector>\n'})
        self.assertEqual(code, 0, out)
        self.assertIn("0 pointing up or sideways", out)

    def test_an_include_of_a_higher_layer_is_named_by_file_and_line(self):
        code, out = run({"lib/l.hh": "", "lib/wire/w.cc": '// wire\n#include "lib/l.hh"\n'})
        self.assertEqual(code, 1)
        self.assertIn("lib/wire/w.cc:2: includes lib/l.hh: lib (layer 1) is above lib/wire (layer 0)", out)

    def test_modules_of_one_layer_may_not_include_each_other(self):
        code, out = run({"lib/l.hh": "", "other/o.cc": '#include "lib/l.hh"\n'})
        self.assertEqual(code, 1)
        self.assertIn("other/o.cc:1: includes lib/l.hh: lib and other are on the same layer (1)", out)

    def test_a_file_outside_every_module_fails(self):
        code, out = run({"stray/s.cc": ""})
        self.assertEqual(code, 1)
        self.assertIn("stray/s.cc:1: not in any module", out)

    def test_includes_relative_to_a_parent_folder_are_resolved(self):
        code, out = run({"app/support/h.hh": '#include "lib/l.hh"\n', "lib/l.hh": "",
                         "app/unit/t.cc": '#include "support/h.hh"\n'})
        self.assertEqual(code, 0, out)
        self.assertIn("2 includes of ours", out)

    def test_files_finds_a_cycle_through_a_source_file_and_names_its_includes(self):
        tree = {"lib/a.hh": '#include "lib/b.hh"\n', "lib/b.hh": "", "lib/b.cc": '#include "lib/a.hh"\n'}
        self.assertEqual(run(tree)[0], 0)  # without --files, a cycle inside a module is allowed
        code, out = run(tree, "--files")
        self.assertEqual(code, 1)
        self.assertIn("include cycle between lib/a, lib/b:", out)
        self.assertIn("lib/a.hh:1: includes lib/b.hh", out)
        self.assertIn("lib/b.cc:1: includes lib/a.hh", out)

    def test_files_passes_a_tree_without_cycles(self):
        code, out = run({"lib/a.hh": '#include "lib/b.hh"\n', "lib/a.cc": '#include "lib/a.hh"\n', "lib/b.hh": ""},
                        "--files")
        self.assertEqual(code, 0, out)
        self.assertIn("0 file include cycles", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
