"""SiteTemplate: lines shared by a site's pages are learned and dropped; content is not."""
from extractor import SiteTemplate, extract

NAV = "<div class='top'><a href='/'>Home</a> <a href='/forum'>Forum</a> <a href='/help'>Help</a></div>"
PROMO = ("<div class='box'><p>Join our community today and get access to exclusive member discussions, "
         "weekly newsletters, and special offers from our partners around the world.</p></div>")
FOOT = "<div class='bottom'><p>Example Forum is run by volunteers since 2004.</p></div>"


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{NAV}{PROMO}<div class='c'>{body}</div>{FOOT}</body></html>"


BODIES = [
    "<p>Gardening tips for dry summers: water early in the morning, mulch the beds, and choose "
    "plants that cope with drought, such as lavender and rosemary, which also attract bees.</p>",
    "<p>Our club meeting moved to Thursday. Bring your own chair; tea and cake are provided by the "
    "committee, and the raffle tickets will be sold at the door for two pounds each.</p>",
    "<p>Bicycle repair: a slipping chain is usually a worn cassette. Measure the chain stretch with a "
    "gauge before replacing parts, and clean the drivetrain regularly to make it last longer.</p>",
]


def test_learns_recurring_lines_only():
    tpl = SiteTemplate.learn([page(b) for b in BODIES])
    lines = {text for _, text in tpl.keys}
    assert "Example Forum is run by volunteers since 2004." in lines
    assert not any("Gardening" in t or "Bicycle" in t for t in lines)
    assert SiteTemplate.from_json(tpl.to_json()).keys == tpl.keys


def test_template_drops_shared_prose_from_the_text():
    new = ("<p>Short note: the forum will be read-only tonight.</p>")
    html = page(new)
    without = extract(html, "http://example.org/t/9").text
    tpl = SiteTemplate.learn([(page(b), f"http://example.org/t/{i}") for i, b in enumerate(BODIES)])
    with_tpl = extract(html, "http://example.org/t/9", template=tpl).text
    assert "Join our community" in without  # the longer boilerplate wins without a template
    assert "read-only tonight" in with_tpl
    assert "Join our community" not in with_tpl


def test_too_few_or_bad_pages_give_an_empty_template():
    assert len(SiteTemplate.learn([page(BODIES[0])])) == 0
    assert len(SiteTemplate.learn([b"", b"\x00\x01", 42])) == 0
