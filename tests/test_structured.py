"""schema.org JSON-LD and microdata: postings in order, with authors, dates and elements."""
import lxml.html

from extractor.structured import read_structured

JSONLD = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
 {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Forum", "item": "/f/"}]},
 {"@type": "DiscussionForumPosting", "headline": "Pump noise", "text": "My pump <b>hums</b> at night.",
  "author": {"@type": "Person", "name": "alice"}, "datePublished": "2024-05-03T12:30:00+08:00", "url": "/t/1",
  "comment": [{"@type": "Comment", "text": "Check the bearings.", "author": {"name": "bob"},
               "datePublished": "2024-05-03T13:00:00+08:00", "identifier": 42},],
 }]}
</script></head><body><p>x</p></body></html>"""

MICRODATA = """<html><body>
<div itemscope itemtype="https://schema.org/Question"><h1 itemprop="name">Q?</h1>
  <div itemprop="text">Why is the sky blue?</div>
  <a itemprop="author" href="/u/7">carol</a><time itemprop="dateCreated" datetime="2024-01-02T10:00:00">Jan 2</time>
  <div itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer">
    <div itemprop="text">Rayleigh scattering.</div>
    <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">dave</span></span>
    <meta itemprop="dateCreated" content="2024-01-02T11:00:00">
  </div>
</div></body></html>"""


def test_jsonld_postings_in_order_with_fields():
    sd = read_structured(lxml.html.document_fromstring(JSONLD), "https://f.example/t/1?page=1")
    assert {"DiscussionForumPosting", "Comment", "BreadcrumbList"} <= sd.types
    assert sd.is_thread
    assert sd.headline == "Pump noise"
    assert [p["author"] for p in sd.postings] == ["alice", "bob"]
    assert sd.postings[0]["text"] == "My pump hums at night."
    assert sd.postings[0]["url"] == "https://f.example/t/1"
    assert sd.postings[1]["published"] == "2024-05-03T13:00:00+08:00"
    assert sd.postings[1]["post_id"] == "42"
    assert sd.breadcrumbs == [("Forum", "https://f.example/f/")]


def test_microdata_postings_keep_their_elements():
    root = lxml.html.document_fromstring(MICRODATA)
    sd = read_structured(root, "https://qa.example/q/1")
    assert [p["author"] for p in sd.postings] == ["carol", "dave"]
    assert [p["text"] for p in sd.postings] == ["Why is the sky blue?", "Rayleigh scattering."]
    assert sd.postings[1]["published"] == "2024-01-02T11:00:00"
    assert sd.postings[0]["element"].get("itemtype").endswith("Question")


def test_broken_json_is_ignored():
    root = lxml.html.document_fromstring('<html><head><script type="application/ld+json">{"@type": '
                                         '</script></head><body></body></html>')
    sd = read_structured(root, "https://x.example/")
    assert sd.postings == [] and not sd.is_thread
