"""Rewriting a variable of an environment file: what systemd reads back is the
words harden meant, whatever they hold, and the rest of the file is kept."""
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.edits.env_files import rewrite_variable
from hardener.facts.systemd_syntax import parse_env_file, split_value

WORD = st.text(alphabet="ab-=\"'\\$#; \t{}\r\n", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(before=st.sampled_from(["", "# site options\n", "A=1\n"]), quote=st.sampled_from(["", "'", '"']),
       old=st.lists(st.sampled_from(["--debug", "--iptables=false", "-H", "fd://"]), min_size=1, max_size=4),
       words=st.lists(WORD, max_size=4), after=st.sampled_from(["", "B=2\n", "# end\n"]))
def test_rewritten_variable_reads_back_as_the_words(before, quote, old, words, after):
    text = f"{before}DOCKER_OPTS={quote}{' '.join(old)}{quote}\n{after}"
    (assignment,) = [a for a in parse_env_file(text) if a.key == "DOCKER_OPTS"]
    rewritten = rewrite_variable(text, (assignment.start, assignment.end), "DOCKER_OPTS", words)
    (again,) = [a for a in parse_env_file(rewritten) if a.key == "DOCKER_OPTS"]
    assert split_value(again.value) == words
    assert rewritten.startswith(before) and rewritten.endswith(after)


def test_plain_words_keep_the_quotes_they_had():
    text = "DOCKER_OPTS='--dns 10.0.0.2 --iptables=false'\n"
    (assignment,) = parse_env_file(text)
    assert rewrite_variable(text, (assignment.start, assignment.end), "DOCKER_OPTS", ["--dns", "10.0.0.2"]) == \
        "DOCKER_OPTS='--dns 10.0.0.2'\n"
