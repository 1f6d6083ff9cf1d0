"""Comments as safe HTML, with mentions showing the person's name."""

from mkflow.core.richtext import mentioned_handles, render


def test_a_mention_shows_the_name_of_a_known_person_and_leaves_the_rest_as_written():
    names = {"copywriter": "Daria <Ivanova>"}
    html = render("@copywriter and @stranger, mail me at a@copywriter.ru", names)
    assert '<span class="mention">@Daria &lt;Ivanova&gt;</span>' in html
    assert "@stranger" in html and "a@copywriter.ru" in html
    assert mentioned_handles("@Copywriter, @stranger") == {"copywriter", "stranger"}


def test_markup_in_a_comment_is_text():
    html = render('<script>alert(1)</script> **bold** <a href="javascript:x">x</a>')
    assert "<script>" not in html and "<strong>bold</strong>" in html
    assert "javascript:" not in html
