"""benchmarks/results.py: the one way benchmark scripts append a section to RESULTS.md."""

import datetime


def test_a_section_is_a_dated_heading_a_wrapped_intro_and_the_lines(tmp_path, capsys,
                                                                 repo_script):
    results = repo_script("benchmarks/results.py")
    results.RESULTS = tmp_path / "RESULTS.md"
    results.RESULTS.write_text("# Benchmark results\n")
    intro = "`python benchmarks/x.py`: " + "word " * 40
    results.append_section("Things measured", intro.strip(), ["| a |", "|---|", "| 1 |"])
    today = datetime.date.today().isoformat()
    text = results.RESULTS.read_text()
    assert text.startswith(f"# Benchmark results\n\n## Things measured ({today})\n\n`python")
    assert text.endswith("\n\n| a |\n|---|\n| 1 |\n\n")
    intro_lines = text.split("\n\n")[2].splitlines()
    assert len(intro_lines) > 1 and max(map(len, intro_lines)) <= 92
    assert capsys.readouterr().out == f"appended to {results.RESULTS}\n"
