"""Public pages for anonymous visitors, served from the shared cache.

`generation.py` keeps the *content generation*: which state of the content a cached page
was rendered from. Its single source is the database (`ContentChange`), written in the
same transaction as every content change; processes hold a copy that a notification
(Redis pub/sub, or a stamp file without Redis) or a periodic re-read keeps current.

`middleware.py` fetches a page before the rest of the site runs and stores what the
site rendered, under a key built from the URL with only the query parameters the page
reads, and only for requests without a logged-in session.
"""
