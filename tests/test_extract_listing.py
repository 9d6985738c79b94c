"""A board index is a listing: its threads become entries, its links are entries and pages."""
from extractor import extract

ROWS = "".join(
    f"<tr class='thread'><td class='title'><a href='/t/{i}-topic-number-{i}'>Topic number {i}: a question about "
    f"bicycle gears</a><div class='by'>by <a href='/u/{i}'>user{i}</a>, May {i + 1}, 2024</div></td>"
    f"<td class='replies'>{i * 3}</td><td class='views'>{i * 40}</td>"
    f"<td class='last'><a href='/t/{i}-topic-number-{i}?page=last'>May {i + 2}, 2024</a></td></tr>"
    for i in range(1, 13))
BOARD = (f"<html><head><title>Repairs - Bike Forum</title></head><body><div id='nav'><a href='/'>Forum</a></div>"
         f"<h1>Repairs</h1><table class='threads'><tr><th>Topic</th><th>Replies</th><th>Views</th><th>Last post</th></tr>"
         f"{ROWS}</table><div class='pagination'><strong>1</strong> <a href='/f/2?page=2'>2</a> "
         f"<a href='/f/2?page=3'>3</a> <a href='/f/2?page=2'>Next</a></div></body></html>")


def test_board_index_is_a_listing_with_entries():
    page = extract(BOARD, "https://bikes.example/f/2")
    assert page.kind == "listing"
    urls = {e.url for e in page.entries}
    assert "https://bikes.example/t/3-topic-number-3" in urls
    assert len(page.entries) >= 10
    assert page.next_page_url == "https://bikes.example/f/2?page=2"
    roles = {link.url: link.role for link in page.links}
    assert roles["https://bikes.example/t/3-topic-number-3"] == "entry"
    assert roles["https://bikes.example/f/2?page=3"] == "pagination"
