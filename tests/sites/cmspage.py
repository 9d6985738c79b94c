"""A CMS page (WordPress-like: site header, menu, footer) wrapping a forum plugin's view in its
one ``<article id="post-4">``: the page record that looks like a lone post on every view."""
from __future__ import annotations


def cms_page(title: str, view: str) -> str:
    """The HTML of a CMS page titled ``title`` holding the plugin's ``view`` (HTML)."""
    return ("<html><head><title>" + title + " - Forum - My Site</title></head><body>"
            "<header class='site-header'><a href='/'>My Site</a> <a href='/blog/'>Blog</a> "
            "<a href='/forum/'>Forum</a></header><main id='main'>"
            "<article id='post-4' class='post-4 page type-page hentry entry'>"
            "<header class='entry-header'><h1 class='entry-title'>Forum</h1></header>"
            "<div class='entry-content'><div id='forum-wrapper'><div class='forum-menu'>"
            "<a href='/forum/'>Forum</a><a href='/forum/members/'>Members</a>"
            "<a href='/forum/activity/'>Activity</a><a href='/wp-login.php'>Login</a></div>"
            "<div class='notice'>Please log in or register to create posts and topics.</div>"
            f"{view}</div></div></article></main>"
            "<footer class='site-footer'><a href='/privacy/'>Privacy</a></footer></body></html>")
