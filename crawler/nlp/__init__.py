"""The NLP hook: committed posts flow to a Redis Stream (:mod:`.stream`), a
consumer-group worker hands them to a handler (:mod:`.worker`), and the default
handler (:mod:`.handler`) stores language, token count and keywords per post.

Importing this package imports neither Redis nor scikit-learn; the modules do.
"""
